import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Outcome } from '../codestream/Outcome';
import type { ExecutionRequest, PipelineRef } from '../codestream/types';
import type { ExecutionKey, ExecutionRecord } from './IdempotencyStore';
import type { RelayDependencies } from './RelayDependencies';
import { invocationDelayMs } from './RetryPolicy';

/** What became of one (delivery, rule) in this invocation. */
export type RuleResult =
  | { state: 'created'; executionId?: string; executionLink?: string; attempts: number }
  /** `record`: what an earlier message recorded for the key, where it was decided before. */
  | { state: 'skipped'; why: string; record?: ExecutionRecord }
  | { state: 'busy'; retryAfterMs: number }
  | { state: 'retry'; outcome: Outcome; attempts: number; firstAttemptAt: string; lastAttemptAt: string }
  /** `token`: the claim under which the failure may be recorded (markDeadLettered). */
  | { state: 'failed'; outcome: Outcome; attempts: number; firstAttemptAt: string; lastAttemptAt: string; token: string };

export interface RuleCall {
  key: ExecutionKey;
  pipeline: PipelineRef;
  request: ExecutionRequest;
  messageId: string;
  /** The tags that identify this (delivery, rule)'s execution in Code Stream. */
  tags: string[];
  /** Milliseconds left in the invocation. */
  remainingMs: () => number;
  /** Keys on every log line about this call: delivery id, source, rule, pipeline. */
  logContext: Record<string, string>;
}

/** Leaves this much of the invocation for recording the result after the last call. */
const SAFETY_MARGIN_MS = 2_000;

/** A call with less time than this is not made: it could only time out, leaving Code Stream's side unknown. */
const SHORTEST_CALL_MS = 1_000;

/**
 * Starts one rule's execution at most once: claims (delivery, rule) in the idempotency store, looks
 * for an execution a timed-out call may have started, calls Code Stream with a few quick retries
 * while the invocation has time, and records what happened. Never throws for Code Stream's answers.
 */
export async function executeRule(call: RuleCall, dependencies: RelayDependencies): Promise<RuleResult> {
  const { store, codestream, logger, policy } = dependencies;
  const now = () => clock(dependencies).toISOString();
  const claim = await store.claim(call.key, call.messageId);
  // A holder whose lease lapsed while it worked: another receive has the key now and will finish it.
  const lost: RuleResult = { state: 'skipped', why: 'its claim lapsed and another receive took the key over' };
  if (!claim.claimed) {
    const { record } = claim;
    // This very message holds a live claim: an earlier receive of it died mid-call. Acknowledging
    // now would lose the execution; it is retried once the claim has lapsed.
    if (record.status === 'in_progress' && record.messageId === call.messageId) {
      return { state: 'busy', retryAfterMs: Math.max(0, record.leaseUntil - clock(dependencies).getTime()) };
    }
    return { state: 'skipped', why: skipReason(record), record };
  }
  const { token } = claim;
  let attempts = claim.attempts;
  const firstAttemptAt = claim.firstAttemptAt ?? now();
  let uncertain = claim.uncertain;
  // A call that may still be running on Code Stream's side (this message's, or a duplicate's):
  // wait until it has had time to finish, so that the lookup sees its execution.
  const settlesAt = uncertain && claim.lastAttemptAt ? Date.parse(claim.lastAttemptAt) + policy.uncertainSettleMs : 0;
  const waitMs = settlesAt - clock(dependencies).getTime();
  if (waitMs > 0) {
    const released = await store.markRetrying(call.key, { uncertain: true, lastOutcome: 'waiting for an unanswered call to settle', attempts, firstAttemptAt, lastAttemptAt: claim.lastAttemptAt, token });
    return released ? { state: 'busy', retryAfterMs: waitMs } : lost;
  }
  for (let attempt = 0; ; attempt += 1) {
    // Every call ends before the invocation does, as Lambda would end it: the result is then recorded.
    const deadline = { endsAt: Date.now() + call.remainingMs() - SAFETY_MARGIN_MS };
    if (deadline.endsAt - Date.now() < SHORTEST_CALL_MS) {
      const outOfTime: Outcome = { kind: 'retryable', cause: 'timeout', stage: 'execute', reason: 'the invocation had too little time left to call Code Stream', snippet: '' };
      return retryOrFail(call, outOfTime, attempts, firstAttemptAt, uncertain, token, dependencies);
    }
    if (uncertain) {
      const lookup = await codestream.lookupExecution(call.pipeline, call.tags, deadline, Date.parse(firstAttemptAt));
      if (lookup.found) {
        logger.info('Found the execution an earlier, unanswered call started', { ...call.logContext, outcome: 'created', executionId: lookup.executionId });
        await recordCreated(call, { executionId: lookup.executionId, executionLink: lookup.executionLink, attempts, firstAttemptAt, lastAttemptAt: now(), token }, dependencies);
        return { state: 'created', executionId: lookup.executionId, executionLink: lookup.executionLink, attempts };
      }
      if (lookup.failed) return retryOrFail(call, lookup.failed, attempts, firstAttemptAt, uncertain, token, dependencies);
    }
    attempts += 1;
    const started = Date.now();
    const outcome = await codestream.execute(call.pipeline, call.request, deadline);
    dependencies.metrics?.addMetric('codeStreamLatency', MetricUnit.Milliseconds, Date.now() - started);
    logger.info('Code Stream answered', { ...call.logContext, outcome: outcome.kind, status: outcome.status, reason: outcome.reason, attempt: attempts });
    if (outcome.kind === 'created') {
      await recordCreated(call, { executionId: outcome.executionId, executionLink: outcome.executionLink, attempts, firstAttemptAt, lastAttemptAt: now(), token }, dependencies);
      logger.info('Execution created', { ...call.logContext, outcome: 'created', executionId: outcome.executionId, executionLink: outcome.executionLink });
      dependencies.metrics?.addMetric('executionsCreated', MetricUnit.Count, 1);
      return { state: 'created', executionId: outcome.executionId, executionLink: outcome.executionLink, attempts };
    }
    if (outcome.kind !== 'retryable') return { state: 'failed', outcome, attempts, firstAttemptAt, lastAttemptAt: now(), token };
    uncertain = outcome.maybeProcessed === true;
    const delay = invocationDelayMs(attempt, outcome.retryAfterMs, policy, dependencies.random ?? Math.random);
    // After the backoff there must be time for a call, and for recording its result.
    const timeLeft = call.remainingMs() - SAFETY_MARGIN_MS - SHORTEST_CALL_MS - delay;
    // A call that may have been processed is retried only from the queue, after a delay in which a
    // slow Code Stream can finish it: the lookup then finds the execution instead of racing it.
    if (uncertain || attempt + 1 >= policy.attemptsPerInvocation || timeLeft < 0) {
      return retryOrFail(call, outcome, attempts, firstAttemptAt, uncertain, token, dependencies);
    }
    dependencies.metrics?.addMetric('retried', MetricUnit.Count, 1);
    await (dependencies.sleep ?? sleep)(delay);
  }
}

async function retryOrFail(
  call: RuleCall,
  outcome: Outcome,
  attempts: number,
  firstAttemptAt: string,
  uncertain: boolean,
  token: string,
  dependencies: RelayDependencies,
): Promise<RuleResult> {
  const lastAttemptAt = clock(dependencies).toISOString();
  if (outcome.kind !== 'retryable') return { state: 'failed', outcome, attempts, firstAttemptAt, lastAttemptAt, token };
  if (!(await dependencies.store.markRetrying(call.key, { uncertain, lastOutcome: outcome.reason, attempts, firstAttemptAt, lastAttemptAt, token }))) {
    dependencies.logger.warn('The claim lapsed before the failure was recorded; another receive holds the key', call.logContext);
    return { state: 'skipped', why: 'its claim lapsed and another receive took the key over' };
  }
  return { state: 'retry', outcome, attempts, firstAttemptAt, lastAttemptAt };
}

/** Marks the key created; a holder whose claim was taken over says so: the new holder finds the execution by its tags. */
async function recordCreated(call: RuleCall, details: Parameters<RelayDependencies['store']['markCreated']>[1], dependencies: RelayDependencies): Promise<void> {
  if (!(await dependencies.store.markCreated(call.key, details))) {
    dependencies.logger.warn('The claim lapsed before the execution was recorded; the receive that holds the key will find it by its tags', call.logContext);
  }
}

function clock(dependencies: RelayDependencies): Date {
  return (dependencies.now ?? (() => new Date()))();
}

/** Why a (delivery, rule) whose record is this is not executed again. */
export function skipReason(record: ExecutionRecord): string {
  switch (record.status) {
    case 'created':
      return 'its execution was already created (a duplicate or redelivered message)';
    case 'in_progress':
      return 'another message of the same delivery is executing it now';
    case 'superseded':
      return `superseded by delivery ${record.supersededBy}, a newer event of its quiet window`;
    case 'deferred':
      return `it waits out its quiet period until ${record.dueAt}`;
    default:
      return 'this message already dead-lettered it';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
