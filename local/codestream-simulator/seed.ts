import { readFileSync } from 'node:fs';
import { type ExecutionRun, runProblems } from './executionLifecycle';

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
  /** Served as the Pipeline's `description` (required by the swagger). @default '' */
  description?: string;
  /** Users who may execute it; any other user gets 403. Not served. @default every user */
  allowedUsers?: string[];
  /** How its executions run and end. Not served. @default RUNNING for ever */
  run?: ExecutionRun;
}

/** A file filter of a Git webhook, `GitWebhook$FileFilter` in the swagger. */
export interface GitWebhookFileFilter {
  type: 'PLAIN' | 'REGEX';
  value: string;
}

/** A Git webhook as the swagger's `GitWebhook` has it, without the fields the simulator computes (`_link`). */
export interface SimulatedGitWebhook {
  id: string;
  name: string;
  project: string;
  /** The name of the pipeline it triggers, in the same project. */
  pipeline: string;
  description?: string;
  endpoint?: string;
  serverType?: string;
  repoName?: string;
  branchName?: string;
  eventCategory?: string;
  inclusions?: GitWebhookFileFilter[];
  exclusions?: GitWebhookFileFilter[];
  prioritizeExclusion?: boolean;
  input?: Record<string, string>;
  delayTimeInMins?: number;
  insecureSsl?: boolean;
  /** Served as the swagger has it: whoever reads the webhook must not print it. */
  secretToken?: string;
  refreshToken?: string;
  externalListenerLink?: string;
  serverWebhookId?: string;
}

/** A registry webhook as the swagger's `DockerRegistryWebHook` has it, without `_link`. */
export interface SimulatedRegistryWebhook {
  id: string;
  name: string;
  project: string;
  /** The name of the pipeline it triggers, in the same project. */
  pipeline: string;
  description?: string;
  enabled?: boolean;
  endpoint?: string;
  serverType?: string;
  repoName?: string;
  imageNameRegExPattern?: string;
  tagNamePattern?: string;
  input?: Record<string, string>;
  slug?: string;
  /** Served as the swagger has it: whoever reads the webhook must not print it. */
  secretToken?: string;
  refreshToken?: string;
  externalListenerLink?: string;
}

/** What the simulator knows before its first request. */
export interface SimulatorSeed {
  users: SimulatedUser[];
  pipelines: SimulatedPipeline[];
  gitWebhooks?: SimulatedGitWebhook[];
  registryWebhooks?: SimulatedRegistryWebhook[];
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
    const { id, project, name, enabled, input, description, allowedUsers, run } = (pipeline ?? {}) as Record<string, unknown>;
    for (const [field, text] of Object.entries({ id, project, name })) {
      if (typeof text !== 'string' || text === '') problems.push(`pipelines[${index}].${field} must be a non-empty string`);
    }
    if (typeof id === 'string' && ids.has(id)) problems.push(`pipelines[${index}].id "${id}" is used twice`);
    if (typeof id === 'string') ids.add(id);
    if (enabled !== undefined && typeof enabled !== 'boolean') problems.push(`pipelines[${index}].enabled must be true or false`);
    if (input !== undefined && !isStringMap(input)) problems.push(`pipelines[${index}].input must map names to strings`);
    if (description !== undefined && typeof description !== 'string') problems.push(`pipelines[${index}].description must be a string`);
    if (allowedUsers !== undefined && !(Array.isArray(allowedUsers) && allowedUsers.every((u) => typeof u === 'string'))) {
      problems.push(`pipelines[${index}].allowedUsers must be an array of user names`);
    }
    if (run !== undefined) problems.push(...runProblems(run, `pipelines[${index}].run`));
  });
  const { gitWebhooks, registryWebhooks } = value as { gitWebhooks?: unknown; registryWebhooks?: unknown };
  const seeded = (pipelines as unknown[]).map((pipeline) => (pipeline ?? {}) as Record<string, unknown>);
  problems.push(...webhookProblems('gitWebhooks', gitWebhooks, GIT_WEBHOOK_FIELDS, seeded));
  problems.push(...webhookProblems('registryWebhooks', registryWebhooks, REGISTRY_WEBHOOK_FIELDS, seeded));
  return problems;
}

type FieldKind = 'required' | 'string' | 'boolean' | 'minutes' | 'stringMap' | 'fileFilters';

const COMMON_WEBHOOK_FIELDS: Record<string, FieldKind> = {
  id: 'required',
  name: 'required',
  project: 'required',
  pipeline: 'required',
  description: 'string',
  endpoint: 'string',
  serverType: 'string',
  repoName: 'string',
  input: 'stringMap',
  secretToken: 'string',
  refreshToken: 'string',
  externalListenerLink: 'string',
};

/** The fields of the swagger's `GitWebhook` a seed may give; the simulator adds `_link`. */
const GIT_WEBHOOK_FIELDS: Record<string, FieldKind> = {
  ...COMMON_WEBHOOK_FIELDS,
  branchName: 'string',
  eventCategory: 'string',
  inclusions: 'fileFilters',
  exclusions: 'fileFilters',
  prioritizeExclusion: 'boolean',
  delayTimeInMins: 'minutes',
  insecureSsl: 'boolean',
  serverWebhookId: 'string',
};

/** The fields of the swagger's `DockerRegistryWebHook` a seed may give; the simulator adds `_link`. */
const REGISTRY_WEBHOOK_FIELDS: Record<string, FieldKind> = {
  ...COMMON_WEBHOOK_FIELDS,
  enabled: 'boolean',
  imageNameRegExPattern: 'string',
  tagNamePattern: 'string',
  slug: 'string',
};

const FIELD_RULES: Record<FieldKind, { ok: (value: unknown) => boolean; must: string }> = {
  required: { ok: (value) => typeof value === 'string' && value !== '', must: 'must be a non-empty string' },
  string: { ok: (value) => typeof value === 'string', must: 'must be a string' },
  boolean: { ok: (value) => typeof value === 'boolean', must: 'must be true or false' },
  minutes: { ok: (value) => Number.isInteger(value) && (value as number) >= 0, must: 'must be a whole number of minutes' },
  stringMap: { ok: isStringMap, must: 'must map names to strings' },
  fileFilters: {
    ok: (value) =>
      Array.isArray(value) &&
      value.every((filter) => {
        const { type, value: text, ...rest } = (filter ?? {}) as Record<string, unknown>;
        return (type === 'PLAIN' || type === 'REGEX') && typeof text === 'string' && Object.keys(rest).length === 0;
      }),
    must: 'must be an array of {"type": "PLAIN" or "REGEX", "value": "…"}',
  },
};

function webhookProblems(
  list: string,
  webhooks: unknown,
  fields: Record<string, FieldKind>,
  pipelines: Record<string, unknown>[],
): string[] {
  if (webhooks === undefined) return [];
  if (!Array.isArray(webhooks)) return [`"${list}" must be an array`];
  const problems: string[] = [];
  const ids = new Set<string>();
  webhooks.forEach((webhook, index) => {
    const entry = `${list}[${index}]`;
    if (typeof webhook !== 'object' || webhook === null || Array.isArray(webhook)) {
      problems.push(`${entry} must be an object`);
      return;
    }
    const record = webhook as Record<string, unknown>;
    for (const [field, kind] of Object.entries(fields)) {
      const value = record[field];
      if ((kind === 'required' || value !== undefined) && !FIELD_RULES[kind].ok(value)) {
        problems.push(`${entry}.${field} ${FIELD_RULES[kind].must}`);
      }
    }
    for (const field of Object.keys(record)) {
      if (!(field in fields)) problems.push(`${entry}.${field} is not a field the simulator serves (${Object.keys(fields).join(', ')})`);
    }
    const { id, project, pipeline } = record;
    if (typeof id === 'string' && ids.has(id)) problems.push(`${entry}.id "${id}" is used twice`);
    if (typeof id === 'string') ids.add(id);
    if (
      typeof project === 'string' &&
      typeof pipeline === 'string' &&
      pipeline !== '' &&
      !pipelines.some((candidate) => candidate.project === project && candidate.name === pipeline)
    ) {
      problems.push(`${entry}.pipeline "${pipeline}" is not a seeded pipeline of project "${project}"`);
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
