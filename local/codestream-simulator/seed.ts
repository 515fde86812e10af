import { readFileSync } from 'node:fs';

/** A user who can log in, with the credential of either flow. */
export interface SimulatedUser {
  name: string;
  /** Accepted by `POST /iaas/api/login` (on-premises flow). */
  refreshToken?: string;
  /** Accepted by CSP's `api-tokens/authorize` (cloud flow). */
  apiToken?: string;
}

export interface SimulatedPipeline {
  id: string;
  project: string;
  name: string;
  /** @default true */
  enabled?: boolean;
  /** Declared inputs and their defaults; an execution's input is these overlaid with the request's. */
  input?: Record<string, string>;
  /** Users who may execute it; any other user gets 403. @default every user */
  allowedUsers?: string[];
}

/** What the simulator knows before its first request. */
export interface SimulatorSeed {
  users: SimulatedUser[];
  pipelines: SimulatedPipeline[];
}

/** Reads a seed file, with errors that name the file and the entry. */
export function loadSeed(file: string): SimulatorSeed {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the simulator seed ${file}: ${(error as Error).message}`, { cause: error });
  }
  const problems = seedProblems(value);
  if (problems.length > 0) throw new Error(`invalid simulator seed ${file}:\n  ${problems.join('\n  ')}`);
  return value as SimulatorSeed;
}

export function seedProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['the seed must be a JSON object with users and pipelines'];
  const { users, pipelines } = value as { users?: unknown; pipelines?: unknown };
  const problems: string[] = [];
  if (!Array.isArray(users)) problems.push('"users" must be an array');
  if (!Array.isArray(pipelines)) problems.push('"pipelines" must be an array');
  if (problems.length > 0) return problems;
  (users as unknown[]).forEach((user, index) => {
    const { name, refreshToken, apiToken } = (user ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') problems.push(`users[${index}].name must be a non-empty string`);
    if (refreshToken === undefined && apiToken === undefined) {
      problems.push(`users[${index}] needs a refreshToken or an apiToken`);
    }
    for (const [field, credential] of Object.entries({ refreshToken, apiToken })) {
      if (credential !== undefined && (typeof credential !== 'string' || credential === '')) {
        problems.push(`users[${index}].${field} must be a non-empty string`);
      }
    }
  });
  const ids = new Set<string>();
  (pipelines as unknown[]).forEach((pipeline, index) => {
    const { id, project, name, enabled, input, allowedUsers } = (pipeline ?? {}) as Record<string, unknown>;
    for (const [field, text] of Object.entries({ id, project, name })) {
      if (typeof text !== 'string' || text === '') problems.push(`pipelines[${index}].${field} must be a non-empty string`);
    }
    if (typeof id === 'string' && ids.has(id)) problems.push(`pipelines[${index}].id "${id}" is used twice`);
    if (typeof id === 'string') ids.add(id);
    if (enabled !== undefined && typeof enabled !== 'boolean') problems.push(`pipelines[${index}].enabled must be true or false`);
    if (input !== undefined && !isStringMap(input)) problems.push(`pipelines[${index}].input must map names to strings`);
    if (allowedUsers !== undefined && !(Array.isArray(allowedUsers) && allowedUsers.every((u) => typeof u === 'string'))) {
      problems.push(`pipelines[${index}].allowedUsers must be an array of user names`);
    }
  });
  return problems;
}

function isStringMap(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}
