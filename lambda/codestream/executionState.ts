import type { ExecutionStatus } from './types';

/** How an execution that ended went, as a Git server is to be told. */
export type ExecutionResult = 'success' | 'failure' | 'canceled';

/** Whether an execution has ended, and how. */
export type ExecutionState = { ended: false } | { ended: true; result: ExecutionResult };

/**
 * What reading an execution found: its status and message as Code Stream gave them (a status the
 * swagger does not list is kept, to be logged), and whether it has ended and how.
 */
export type ExecutionRead = {
  kind: 'execution';
  status: string;
  statusMessage: string;
  /** Its pipeline as `project/name`, and its index (its number among the pipeline's executions), where Code Stream says. */
  pipeline?: string;
  index?: number;
} & ExecutionState;

const GOES_ON: ExecutionState = { ended: false };

/**
 * Every status of the swagger's `Execution.status` enum (in its order) and what it means to one
 * who follows the execution. The swagger describes none of the values; each line says which of its
 * other texts, or the value's name, decides. A `Record` over the enum's type, so that a status
 * added to the type cannot go without its meaning.
 */
const STATES: Record<ExecutionStatus, ExecutionState> = {
  // Not begun: accepted, waiting for its first stage.
  NOT_STARTED: GOES_ON,
  STARTED: GOES_ON,
  RUNNING: GOES_ON,
  // A cancel (one of the actions "pause, resume, cancel and tag" of POST /executions/{id}) is under way; it ends as CANCELED.
  CANCELING: GOES_ON,
  // Waits on someone or something (an approval, a resource) and then goes on.
  WAITING: GOES_ON,
  // Pause and resume are actions on a running execution: a paused one can be resumed, so it has not ended.
  RESUMING: GOES_ON,
  PAUSING: GOES_ON,
  PAUSED: GOES_ON,
  CANCELED: { ended: true, result: 'canceled' },
  // The swagger's one example of an ended execution: "status": "COMPLETED", "statusMessage": "Execution Completed.".
  COMPLETED: { ended: true, result: 'success' },
  FAILED: { ended: true, result: 'failure' },
  // The status of a stage or task whose preCondition ("The Task is executed only if this field evaluates
  // to true") is false. Whole executions share the enum; one that was skipped will not run later, and
  // nothing of it either succeeded or failed: it ends, as canceled.
  SKIPPED: { ended: true, result: 'canceled' },
  // Waits for a slot: a pipeline's `concurrency` is the "Number of Executions of the Pipeline that can run concurrently".
  QUEUED: GOES_ON,
  // A task failed whose `ignoreFailure` "Ignores the failure of the Task execution if set to true, and
  // continues with the Pipeline execution": the execution goes on, and its end decides.
  FAILED_CONTINUE: GOES_ON,
  // The rollback pipeline of a failed stage or task runs (`RollbackConfiguration`); it ends in one of the two below.
  ROLLING_BACK: GOES_ON,
  // A rollback runs only after a stage or task failed: rolled back or not, the change failed.
  ROLLBACK_FAILED: { ended: true, result: 'failure' },
  // Git clone and the container of CI tasks ("Status of the Git clone/creating a container for the Workspace") come before the stages.
  PREPARING_WORKSPACE: GOES_ON,
  ROLLBACK_COMPLETED: { ended: true, result: 'failure' },
};

/** The statuses of the swagger's `Execution.status` enum, in its order. */
export const EXECUTION_STATUSES = Object.keys(STATES) as readonly ExecutionStatus[];

export function isExecutionStatus(status: string): status is ExecutionStatus {
  return Object.hasOwn(STATES, status);
}

/**
 * Whether an execution with this status has ended, and how. A status the swagger does not list (a
 * newer Code Stream's) is taken as not ended: a follower reads again until its own time limit,
 * rather than report a result it cannot know; the caller keeps the status to log it.
 */
export function executionState(status: string): ExecutionState {
  return isExecutionStatus(status) ? STATES[status] : GOES_ON;
}
