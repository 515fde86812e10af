import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Failure } from '../codestream/Outcome';
import type { ExecutionRead } from '../codestream/executionState';
import type { DecidedDelivery, DeliveryLog } from '../history/DeliveryLog';
import type { StatusReport } from '../history/DeliveryRecord';
import { logWriteFailure } from '../history/logWriteFailure';
import type { CommitStatus, StatusCredential, StatusPoster, StatusState } from './CommitStatus';
import type { FollowMessage, PendingPost } from './FollowMessage';

/** When the relay looks again, and for how long, and how often it tries to post one status. */
export interface FollowSchedule {
  /** The first look after the execution was created; each later one waits twice as long, 15 minutes at most (SQS's longest delay). */
  firstCheckSeconds: number;
  /** After this long, the relay stops following and posts `error` (REPORT_MAX_AGE_HOURS). */
  maxAgeMs: number;
  /** Posts of one status that fail in a way worth retrying, before the failure is recorded. */
  maxPostAttempts: number;
}

/** A source's status credential that no retry can make usable: missing, unreadable for good, or not a credential its provider takes. */
export class UnusableCredentialError extends Error {
  override readonly name = 'UnusableCredentialError';
}

export const DEFAULT_FOLLOW_SCHEDULE: FollowSchedule = { firstCheckSeconds: 10, maxAgeMs: 24 * 3_600_000, maxPostAttempts: 5 };

/** SQS's longest delay: a follow message waits at most this long a hop. */
const MAX_DELAY_SECONDS = 900;

/** What following executions and posting their statuses works with (RelayDependencies.reporting). */
export interface Reporting {
  /** The poster of a source's Git server: its CAs and proxy. */
  posterFor(source: string): StatusPoster;
  /**
   * The credential of a source's Git server, read from its `report.secret`.
   * @throws UnusableCredentialError when no retry can help (the secret is missing, or not a credential
   *   the provider takes); any other Error for a failure that may pass. Neither names the value.
   */
  credentialOf(source: string): Promise<StatusCredential>;
  /** Sends a follow message back to the queue, to be received after `delaySeconds`. */
  follows: { send(message: FollowMessage, delaySeconds: number): Promise<void> };
  schedule: FollowSchedule;
}

export interface FollowDependencies {
  reporting: Reporting;
  codestream: { readExecution(id: string): Promise<ExecutionRead | Failure> };
  deliveries?: DeliveryLog;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: Pick<Metrics, 'addMetric'>;
  now?: () => Date;
}

/**
 * One look at an execution the relay follows: first the status still to post, if any; then, while
 * the commit does not show the end, the execution's state in Code Stream. An execution that ended
 * gets its result posted; one still running is looked at again later, a delay that doubles each
 * time, until the maximum age, when `error` is posted. A status the Git server refuses, or that
 * fails `maxPostAttempts` times, is recorded (a log line, the `statusNotPosted` metric, the
 * delivery log) and left: nothing of this touches the execution or any other rule.
 */
export async function followExecution(message: FollowMessage, dependencies: FollowDependencies): Promise<void> {
  const follow = { ...message.follow };
  const { pending } = follow;
  if (pending) {
    // The end's status is the last: posted or given up on, the following is over.
    if ((await postPending(follow, pending, dependencies)) === 'later' || pending.state !== 'pending') return;
    follow.pending = undefined;
  }
  const ageMs = clock(dependencies).getTime() - Date.parse(follow.createdAt);
  const read = await dependencies.codestream.readExecution(follow.executionId);
  if (read.kind === 'execution') {
    // A rule may name its pipeline by id: the statuses from here on name it as Code Stream does.
    if (read.pipeline) follow.pipeline = read.index === undefined ? read.pipeline : `${read.pipeline} #${read.index}`;
    if (read.ended) {
      await postPending(follow, { state: read.result ?? 'failure', description: endDescription(follow.pipeline, read.result, read.statusMessage), attempts: 0 }, dependencies);
      return;
    }
  } else if (read.kind === 'notFound' || read.kind === 'rejected' || read.kind === 'forbidden') {
    await postPending(follow, { state: 'error', description: bounded(`Code Stream ${follow.pipeline}: the relay cannot read the execution (${read.reason})`), attempts: 0 }, dependencies);
    return;
  } else {
    dependencies.logger.warn('Could not read the execution; looking again later', { ...logContext(follow), reason: read.reason });
  }
  if (ageMs >= dependencies.reporting.schedule.maxAgeMs) {
    const hours = Math.round(dependencies.reporting.schedule.maxAgeMs / 3_600_000);
    await postPending(follow, { state: 'error', description: bounded(`Code Stream ${follow.pipeline}: still not ended after ${hours} h; the relay stopped following it`), attempts: 0 }, dependencies);
    return;
  }
  const delay = Math.min(MAX_DELAY_SECONDS, dependencies.reporting.schedule.firstCheckSeconds * 2 ** follow.checks);
  await dependencies.reporting.follows.send({ version: 1, follow: { ...follow, checks: follow.checks + 1 } }, delay);
}

/**
 * Posts a status and records what became of it. A failure worth retrying sends the follow
 * message back with the post still pending, a delay that doubles with each attempt.
 * @returns `later` when the post waits for a retry; else `done`, posted or given up on.
 */
async function postPending(follow: FollowMessage['follow'], pending: PendingPost, dependencies: FollowDependencies): Promise<'done' | 'later'> {
  const { reporting, logger, metrics } = dependencies;
  const status: CommitStatus = { state: pending.state, context: follow.context, description: pending.description, targetUrl: follow.executionLink };
  const attempts = pending.attempts + 1;
  let outcome;
  try {
    outcome = await reporting.posterFor(follow.source).post(follow.target, status, await reporting.credentialOf(follow.source));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    outcome = error instanceof UnusableCredentialError ? { kind: 'failed' as const, reason } : { kind: 'retry' as const, reason };
  }
  if (outcome.kind === 'posted') {
    logger.info('Commit status posted', { ...logContext(follow), state: pending.state, attempts });
    metrics?.addMetric('statusPosted', MetricUnit.Count, 1);
    follow.posted = pending.state;
    await recordReport(follow, { ...reported(status), posted: true, attempts }, dependencies);
    return 'done';
  }
  if (outcome.kind === 'retry' && attempts < reporting.schedule.maxPostAttempts) {
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(reporting.schedule.firstCheckSeconds * 2 ** (attempts - 1), Math.ceil((outcome.retryAfterMs ?? 0) / 1000)));
    logger.warn('Commit status not posted; retrying later', { ...logContext(follow), state: pending.state, attempts, inSeconds: delay, reason: outcome.reason });
    await reporting.follows.send({ version: 1, follow: { ...follow, pending: { ...pending, attempts } } }, delay);
    return 'later';
  }
  const reason = outcome.kind === 'retry' ? `${outcome.reason} (given up after ${attempts} attempts)` : outcome.reason;
  logger.error('Commit status not posted', { ...logContext(follow), state: pending.state, attempts, reason });
  metrics?.addMetric('statusNotPosted', MetricUnit.Count, 1);
  await recordReport(follow, { ...reported(status), posted: false, attempts, reason }, dependencies);
  return 'done';
}

/** One rule's decision for one event of a delivery, whose execution's status is reported. */
export type ReportedDecision = DecidedDelivery & { event: number; rule: string };

/** What the delivery log keeps of a status, from the status. */
function reported(status: CommitStatus): Pick<StatusReport, 'context' | 'state' | 'description'> {
  return { context: status.context, state: status.state, description: status.description };
}

/** A status in the delivery log, beside its rule's decision; a failed write is logged and counted, nothing more. */
export async function recordReport(
  decision: ReportedDecision,
  report: Omit<StatusReport, 'at'>,
  dependencies: Pick<FollowDependencies, 'deliveries' | 'logger' | 'metrics' | 'now'>,
): Promise<void> {
  if (!dependencies.deliveries) return;
  const { source, deliveryId, receivedAt, event, rule } = decision;
  try {
    await dependencies.deliveries.reported({ source, deliveryId, receivedAt }, { event, rule }, { ...report, at: clock(dependencies).toISOString() });
  } catch (error) {
    logWriteFailure(dependencies, { deliveryId, source, rule }, error);
  }
}

/** One line for the commit, at most 140 characters (GitHub's limit). */
export function endDescription(pipeline: string, result: StatusState | undefined, statusMessage: string | undefined): string {
  const outcome = result === 'success' ? 'completed' : result === 'canceled' ? 'canceled' : 'failed';
  return bounded(`Code Stream ${pipeline}: ${outcome}${statusMessage ? `: ${statusMessage}` : ''}`);
}

/** The description of an execution that runs. */
export function runningDescription(pipeline: string): string {
  return bounded(`Code Stream ${pipeline}: running`);
}

function bounded(text: string): string {
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

function logContext(follow: FollowMessage['follow']): Record<string, string> {
  return { deliveryId: follow.deliveryId, source: follow.source, rule: follow.rule, executionId: follow.executionId, context: follow.context, commit: follow.target.sha };
}

function clock(dependencies: Pick<FollowDependencies, 'now'>): Date {
  return (dependencies.now ?? (() => new Date()))();
}
