import { EXECUTION_STATUSES, executionState, isExecutionStatus } from '../../lambda/codestream/executionState';
import type { ExecutionStatus } from '../../lambda/codestream/types';

/** The statuses of the swagger's enum in which an execution has ended: what a seeded run may end in. */
export const END_STATUSES = EXECUTION_STATUSES.filter((status) => executionState(status).ended);

/**
 * How a seeded pipeline's executions run: RUNNING for `seconds` after they are created, then
 * `ends`, with `statusMessage` or the status's usual message. A pipeline without one runs its
 * executions for ever, as Code Stream does a pipeline that waits on an approval nobody gives.
 */
export interface ExecutionRun {
  seconds: number;
  ends: ExecutionStatus;
  statusMessage?: string;
}

/**
 * A status to give an execution, by `PUT /_simulator/executions/{id}` or
 * `setExecutionStatus`: any status of the swagger's enum, `seconds` from now (default now).
 */
export interface StatusChange {
  status: ExecutionStatus;
  statusMessage?: string;
  seconds?: number;
}

/** A status an execution takes when the clock reaches `at` (epoch ms), read when the execution is. */
export interface PendingStatus {
  at: number;
  status: ExecutionStatus;
  statusMessage: string;
}

/**
 * The swagger's one example of a message, "Execution Completed." for COMPLETED, made the rule for
 * every status: "Execution Failed.", "Execution Rollback Completed.", "Execution Running.".
 */
export function usualMessage(status: ExecutionStatus): string {
  const words = status.split('_').map((word) => `${word.charAt(0)}${word.slice(1).toLowerCase()}`);
  return `Execution ${words.join(' ')}.`;
}

/** The problems of a seeded pipeline's `run`, each named after `entry`, e.g. `pipelines[2].run`. */
export function runProblems(run: unknown, entry: string): string[] {
  if (typeof run !== 'object' || run === null || Array.isArray(run)) {
    return [`${entry} must be an object: {"seconds": 2, "ends": "COMPLETED"}`];
  }
  const { seconds, ends, statusMessage, ...rest } = run as Record<string, unknown>;
  const problems: string[] = [];
  if (!isSeconds(seconds)) problems.push(`${entry}.seconds must be a number of seconds, 0 or more`);
  if (!(typeof ends === 'string' && (END_STATUSES as readonly string[]).includes(ends))) {
    problems.push(`${entry}.ends must be a status in which an execution ends (${END_STATUSES.join(', ')}), not ${JSON.stringify(ends)}`);
  }
  if (statusMessage !== undefined && typeof statusMessage !== 'string') problems.push(`${entry}.statusMessage must be a string`);
  for (const field of Object.keys(rest)) problems.push(`${entry}.${field} is not a field of a run (seconds, ends, statusMessage)`);
  return problems;
}

/** The problems of a status change as JSON: the control endpoint's body. */
export function statusChangeProblems(change: unknown): string[] {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    return ['the body must be a JSON object: {"status": "FAILED", "statusMessage": "…", "seconds": 0}'];
  }
  const { status, statusMessage, seconds, ...rest } = change as Record<string, unknown>;
  const problems: string[] = [];
  if (!(typeof status === 'string' && isExecutionStatus(status))) {
    problems.push(`status must be one of the swagger's execution statuses (${EXECUTION_STATUSES.join(', ')}), not ${JSON.stringify(status)}`);
  }
  if (statusMessage !== undefined && typeof statusMessage !== 'string') problems.push('statusMessage must be a string');
  if (seconds !== undefined && !isSeconds(seconds)) problems.push('seconds must be a number of seconds, 0 or more');
  for (const field of Object.keys(rest)) problems.push(`${field} is not a field of a status change (status, statusMessage, seconds)`);
  return problems;
}

function isSeconds(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
