import { hash } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { BodyReadError } from '../bodies/BodyStore';
import type { Outcome } from '../codestream/Outcome';
import type { CanonicalEvent } from '../events/CanonicalEvent';
import type { PipelineRef } from '../codestream/types';
import { WebhookError } from '../providers/errors';
import { parseBody } from '../providers/parseBody';
import { readDelivery } from '../providers/receiveWebhook';
import { eventFromOtherRoute } from '../providers/registry';
import { executionTags, requestOrError } from '../rules/compileRule';
import type { Delivery } from '../rules/Delivery';
import type { Match } from '../rules/RuleEngine';
import type { DeadLetterReason } from './DeadLetterQueue';
import { deferMatch, deferredEvent, settleDeferral } from './deferral';
import { type RuleResult, executeRule } from './executeRule';
import { messageEvents } from './messageEvents';
import type { RelayDependencies } from './RelayDependencies';
import { MalformedMessageError, type RelayMessage, messageBody, relayMessageOf, withBody } from '../events/RelayMessage';
import { queueDelaySeconds } from './RetryPolicy';
import { deliveryDetails } from '../history/deliveryDetails';
import type { RuleDecision } from '../history/DeliveryRecord';
import type { ExecutionRequest } from '../codestream/types';
import { type LoggedDelivery, recordDecisions } from './recordDecisions';
import { FOLLOW_MESSAGE_PREFIX } from '../status/FollowQueue';
import { isFollowMessage } from '../status/FollowMessage';
import { followExecution } from '../status/followExecution';
import { startFollowing } from '../status/startFollowing';

/** Thrown to fail a record back to the queue; its visibility timeout is already set. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/** Which rule, for which event of the delivery (`event`: its index), and the request it sends. */
interface About {
  rule: string;
  source: string;
  deliveryId: string;
  pipeline: PipelineRef;
  event: number;
  request?: ExecutionRequest;
}

type Pending = Extract<RuleResult, { state: 'retry' }> & About;

/** What one record's rules left to retry, the record they belong to, and the delivery the log knows it by. */
interface RecordWork {
  record: SQSRecord;
  remainingMs: () => number;
  pending: Pending[];
  logged: LoggedDelivery;
}

/**
 * One SQS record: every event of the delivery against the rules, every match executed at most
 * once. Final failures go to the dead-letter queue at once, with the reason; transient ones send
 * the record back with a growing delay until the configured receive count, then to the DLQ too.
 * A match of a rule with a quiet period waits in its window instead (relay/deferral.ts): the
 * delivery comes back deferred, for that rule and event only.
 *
 * @throws RetryLaterError to fail the record for a later retry; any other error is a crash, which
 *   SQS's own redrive policy catches.
 */
export async function processRecord(record: SQSRecord, remainingMs: () => number, dependencies: RelayDependencies): Promise<void> {
  const { logger } = dependencies;
  if (record.body.startsWith(FOLLOW_MESSAGE_PREFIX)) return follow(record, dependencies);
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  let queued: RelayMessage;
  let message: RelayMessage;
  let body: Record<string, unknown>;
  let events: CanonicalEvent[];
  let bytes: Buffer;
  let deferredIndex = 0;
  try {
    queued = toRelayMessage(record.body, dependencies);
    message = await withStoredBody(queued, dependencies);
    const request = { body: messageBody(message), headers: message.headers, query: message.query };
    bytes = request.body;
    body = parseBody(request);
    events = messageEvents(message, request, body, dependencies.sources);
    if (message.deferred) {
      const chosen = deferredEvent(message, events, message.deferred);
      events = [chosen.event];
      deferredIndex = chosen.index;
    }
  } catch (error) {
    if (!(error instanceof MalformedMessageError || error instanceof WebhookError)) throw error;
    const deliveryId = record.messageAttributes.deliveryId?.stringValue ?? record.messageId;
    logger.error('A record is not a delivery the relay can read', { deliveryId, reason: error.message });
    await deadLetter(record.body, { deliveryId, outcome: 'malformed', reason: error.message, snippet: '', attempts: 0 }, dependencies);
    return;
  }
  // The log knows a delivery by the id ingress answered with: a repeat's events take the first delivery's ids.
  const logged: LoggedDelivery = { delivery: { source: message.source, deliveryId: message.deliveryId, receivedAt: message.receivedAt } };
  const work: RecordWork = { record, remainingMs, pending: [], logged };
  const { deferred } = message;
  if (deferred) {
    const [event] = events as [CanonicalEvent];
    const delivery: Delivery = { event, body, headers: message.headers, query: message.query };
    const logContext = { deliveryId: event.deliveryId, source: event.source, eventKind: event.kind, rule: deferred.rule };
    const settled = await settleDeferral({ queued, deferral: deferred, delivery, logContext }, dependencies);
    if ('run' in settled) {
      const { run: rule } = settled;
      await runMatch(work, event, deferredIndex, { rule: rule.name, pipeline: rule.pipeline, report: rule.report, ...requestOrError(rule, delivery) }, dependencies);
    } else if (settled.decided) {
      await recordDecisions(dependencies, work.logged, [{ rule: deferred.rule, event: deferredIndex, at: now(dependencies), ...settled.decided }]);
    }
  } else {
    // A deferred copy is the relay's own: the delivery's fields are logged from what ingress queued.
    if (dependencies.deliveries) logged.details = deliveryDetails(message, record.messageId, bytes, events);
    events = await asFirstDelivery(message, bytes, events, dependencies);
    for (const [index, event] of events.entries()) {
      const delivery: Delivery = { event, body, headers: message.headers, query: message.query };
      const matches = dependencies.engine.match(delivery);
      if (matches.length === 0) {
        const reasons = missReasons(dependencies, delivery);
        logger.info('No rule matched', { deliveryId: event.deliveryId, source: event.source, eventKind: event.kind, reasons });
        const at = now(dependencies);
        await recordDecisions(dependencies, work.logged, Object.entries(reasons).map(([rule, reason]) => ({ rule, event: index, outcome: 'no_match', reason, at })));
        continue;
      }
      dependencies.metrics?.addMetric('matched', MetricUnit.Count, matches.length);
      for (const match of matches) {
        // Checked per match, so that rules without a quiet period cost what they did before.
        if (match.quietPeriod && !('error' in match)) {
          const pipeline = pipelineName(match.pipeline);
          const logContext = { deliveryId: event.deliveryId, source: event.source, eventKind: event.kind, rule: match.rule, pipeline };
          const quiet = await deferMatch({ queued, messageId: record.messageId, delivery, rule: match.rule, quietPeriod: match.quietPeriod, logContext }, dependencies);
          if ('refused' in quiet) await rejectMatch(work, event, index, match, quiet.refused, dependencies);
          else await recordDecisions(dependencies, work.logged, [{ rule: match.rule, event: index, pipeline, request: match.request, at: now(dependencies), ...quiet }]);
        } else await runMatch(work, event, index, match, dependencies);
      }
    }
  }
  const { pending } = work;
  if (pending.length === 0) {
    // Where no rule decided anything (the config has none), or the log's write failed, the delivery's own fields once more.
    await recordDecisions(dependencies, logged, []);
    return;
  }
  if (receiveCount >= dependencies.policy.maxReceiveCount) {
    for (const failure of pending) await recordFailure(work, failure, dependencies, `retries exhausted after ${receiveCount} receives: `);
    return;
  }
  const retryAfterMs = Math.max(0, ...pending.map((failure) => (failure.outcome.kind === 'retryable' ? (failure.outcome.retryAfterMs ?? 0) : 0)));
  const seconds = queueDelaySeconds(receiveCount, retryAfterMs, dependencies.policy, dependencies.random ?? Math.random);
  await dependencies.retryLater(record.receiptHandle, seconds);
  const at = now(dependencies);
  await recordDecisions(
    dependencies,
    work.logged,
    pending.map((failure) => ({ ...decisionOf(failure, at), outcome: 'retrying', reason: `${failure.outcome.reason}; retried in ${seconds} s (receive ${receiveCount} of ${dependencies.policy.maxReceiveCount})` })),
  );
  dependencies.metrics?.addMetric('retriedLater', MetricUnit.Count, pending.length);
  logger.warn('Retrying later', { deliveryId: message.deliveryId, receiveCount, inSeconds: seconds, rules: pending.map((failure) => failure.rule) });
  throw new RetryLaterError(`${pending.length} rule(s) to retry in ${seconds} s: ${pending.map((failure) => `${failure.rule}: ${failure.outcome.reason}`).join('; ')}`);
}

/**
 * Executes one match for one event: a match whose request cannot be built is dead-lettered as
 * rejected; otherwise executeRule's result is logged, dead-lettered, or left in `work.pending`
 * for the record's retry.
 */
async function runMatch(work: RecordWork, event: CanonicalEvent, index: number, match: Match, dependencies: RelayDependencies): Promise<void> {
  const { logger } = dependencies;
  const { record, pending } = work;
  if ('error' in match) return rejectMatch(work, event, index, match, `the rule's templates failed: ${match.error}`, dependencies);
  const ruleContext = { deliveryId: event.deliveryId, source: event.source, eventKind: event.kind, rule: match.rule, pipeline: pipelineName(match.pipeline) };
  const about: About = { rule: match.rule, source: event.source, deliveryId: event.deliveryId, pipeline: match.pipeline, event: index, request: match.request };
  const result = await executeRule(
    {
      key: { source: event.source, deliveryId: event.deliveryId, rule: match.rule },
      pipeline: match.pipeline,
      request: match.request,
      messageId: record.messageId,
      tags: executionTags(event.deliveryId, match.rule),
      remainingMs: work.remainingMs,
      logContext: ruleContext,
    },
    dependencies,
  );
  if (result.state === 'created') {
    const { executionId, executionLink, attempts } = result;
    await recordDecisions(dependencies, work.logged, [{ ...decisionOf(about, now(dependencies)), outcome: 'created', executionId, executionLink, attempts }]);
    if (match.report) {
      const started = { delivery: work.logged.delivery, event, eventIndex: index, rule: match.rule, context: match.report.context, pipeline: pipelineLabel(match.pipeline), executionId, executionLink };
      await startFollowing(started, dependencies.sources[event.source]?.report, dependencies);
    }
  } else if (result.state === 'skipped') {
    logger.info('Already handled', { ...ruleContext, reason: result.why });
    const { record: earlier } = result;
    // A redelivery or redrive of a created execution: the log keeps saying what was created, and where.
    const decided: Partial<RuleDecision> =
      earlier?.status === 'created'
        ? { outcome: 'created', executionId: earlier.executionId, executionLink: earlier.executionLink, attempts: earlier.attempts, reason: result.why }
        : { outcome: 'skipped', reason: result.why };
    await recordDecisions(dependencies, work.logged, [{ ...decisionOf(about, now(dependencies)), outcome: 'skipped', ...decided }]);
  } else if (result.state === 'busy') {
    logger.warn('An earlier receive of this message is still claimed; retrying after its lease', ruleContext);
    const outcome: Outcome = { kind: 'retryable', stage: 'execute', cause: 'service', retryAfterMs: result.retryAfterMs, reason: 'an earlier receive of this message still holds the claim', snippet: '' };
    const at = new Date().toISOString();
    pending.push({ state: 'retry', outcome, attempts: 0, firstAttemptAt: at, lastAttemptAt: at, ...about });
  } else if (result.state === 'failed') await recordFailure(work, { ...result, ...about }, dependencies);
  else if (result.state === 'retry') pending.push({ ...result, ...about });
}

/** A match that cannot run, for a reason no retry changes: dead-lettered as rejected, without calling Code Stream. */
async function rejectMatch(work: RecordWork, event: CanonicalEvent, index: number, match: Pick<Match, 'rule' | 'pipeline'>, reason: string, dependencies: RelayDependencies): Promise<void> {
  const pipeline = pipelineName(match.pipeline);
  // The reason says which: a template that needs a field the delivery lacks, or a deferral that cannot be sent.
  dependencies.logger.error('The rule matched but cannot run', { deliveryId: event.deliveryId, source: event.source, eventKind: event.kind, rule: match.rule, pipeline, reason });
  const rejected: Outcome = { kind: 'rejected', stage: 'execute', reason, snippet: '' };
  await recordFailure(work, { outcome: rejected, attempts: 0, rule: match.rule, source: event.source, deliveryId: event.deliveryId, pipeline: match.pipeline, event: index }, dependencies);
}

/** A final failure of one rule: the record goes to the DLQ with why, and the rule is marked so redeliveries skip it. */
async function recordFailure(
  work: RecordWork,
  failure: About & {
    outcome: Outcome;
    attempts: number;
    firstAttemptAt?: string;
    lastAttemptAt?: string;
    /** The claim under which the rule failed; none when the rule was never claimed, or released it to retry. */
    token?: string;
  },
  dependencies: RelayDependencies,
  prefix = '',
): Promise<void> {
  const { record } = work;
  const { outcome } = failure;
  await deadLetter(
    record.body,
    {
      deliveryId: failure.deliveryId,
      outcome: outcome.kind,
      status: outcome.status,
      reason: `${prefix}${outcome.reason}`,
      snippet: outcome.snippet,
      rule: failure.rule,
      pipeline: pipelineName(failure.pipeline),
      attempts: failure.attempts,
      firstAttemptAt: failure.firstAttemptAt,
      lastAttemptAt: failure.lastAttemptAt,
    },
    dependencies,
  );
  await dependencies.store.markDeadLettered(
    { source: failure.source, deliveryId: failure.deliveryId, rule: failure.rule },
    { messageId: record.messageId, outcome: outcome.kind, attempts: failure.attempts, firstAttemptAt: failure.firstAttemptAt, lastAttemptAt: failure.lastAttemptAt, token: failure.token },
  );
  await recordDecisions(dependencies, work.logged, [{ ...decisionOf(failure, now(dependencies)), outcome: 'dead_lettered', reason: `${outcome.kind}: ${prefix}${outcome.reason}` }]);
}

/** What the log says of a rule's decision whatever its outcome: which rule and event, the pipeline, the request, Code Stream's status, the calls. */
function decisionOf(about: About & { outcome?: Outcome; attempts?: number }, at: string): Omit<RuleDecision, 'outcome'> {
  return { rule: about.rule, event: about.event, pipeline: pipelineName(about.pipeline), request: about.request, status: about.outcome?.status, attempts: about.attempts, at };
}

function now(dependencies: RelayDependencies): string {
  return (dependencies.now ?? (() => new Date()))().toISOString();
}

async function deadLetter(body: string, why: DeadLetterReason, dependencies: RelayDependencies): Promise<void> {
  await dependencies.deadLetters.send(body, why);
  dependencies.logger.error('Dead-lettered', { ...why });
  dependencies.metrics?.addMetric(`deadLettered.${why.outcome}`, MetricUnit.Count, 1);
}

/**
 * The record as a relay message. A provider's event that another route than ingress put on the
 * queue (an EventBridge rule's) arrives bare: it is read here, unauthenticated since it crossed no
 * network, for the first configured source of its provider.
 */
function toRelayMessage(text: string, dependencies: RelayDependencies): RelayMessage {
  // Parsed once: both the other routes' check and the relay message's read the same value.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedMessageError('the message body is not JSON');
  }
  const routed = eventFromOtherRoute(value, text);
  if (routed === undefined) return relayMessageOf(value);
  const { provider, request } = routed;
  const name = Object.keys(dependencies.sources).find((candidate) => dependencies.sources[candidate]?.provider === provider);
  if (name === undefined) throw new MalformedMessageError(`a ${provider} event reached the queue, but no ${provider} source is configured`);
  const receivedAt = new Date();
  const { deliveryId, events } = readDelivery({ name, provider, secrets: [], options: dependencies.sources[name]?.options }, request, receivedAt);
  return { version: 1, source: name, provider, deliveryId, receivedAt: receivedAt.toISOString(), events, body: text, headers: request.headers, query: request.query };
}

/**
 * The message with its body, read from S3 where ingress kept it. A body that is gone, or that this
 * function may not read, makes the record unreadable (to the DLQ, saying where the body was); a
 * failure that may pass is thrown, and SQS gives the record again.
 */
async function withStoredBody(message: RelayMessage, dependencies: RelayDependencies): Promise<RelayMessage> {
  const reference = message.bodyRef;
  if (reference === undefined) return message;
  const where = `s3://${reference.bucket}/${reference.key}`;
  if (!dependencies.bodies) throw new MalformedMessageError(`the body is in ${where}, and this relay has no BODY_BUCKET to read it from`);
  try {
    return withBody(message, await dependencies.bodies.get(reference));
  } catch (error) {
    if (error instanceof BodyReadError && error.permanent) throw new MalformedMessageError(error.message);
    throw error;
  }
}

/** How long a source's bodies are remembered by default, to recognise a replay under a fresh delivery id. */
const DEFAULT_REPLAY_WINDOW_HOURS = 24;

/**
 * The events as those of the delivery in which the source first sent this body, within its replay
 * window (`replayWindowHours`): a signed body sent again under a fresh delivery id, by someone who
 * copied it or by a sender's "resend", is that delivery, so a rule whose execution it created does
 * not run again, while one that failed may. The queued body is hashed: redaction is the same for
 * the same body, so equal deliveries queue equal bodies.
 */
async function asFirstDelivery(message: RelayMessage, bytes: Buffer, events: CanonicalEvent[], dependencies: RelayDependencies): Promise<CanonicalEvent[]> {
  const hours = dependencies.sources[message.source]?.replayWindowHours ?? DEFAULT_REPLAY_WINDOW_HOURS;
  if (hours <= 0) return events;
  const first = await dependencies.store.firstDelivery(message.source, hash('sha256', bytes, 'hex'), message.deliveryId, hours * 3_600_000);
  if (first === message.deliveryId) return events;
  dependencies.logger.warn('A repeat of an earlier delivery: the source sent this body before under another delivery id', {
    deliveryId: message.deliveryId,
    firstDeliveryId: first,
    source: message.source,
  });
  dependencies.metrics?.addMetric('repeatedDeliveries', MetricUnit.Count, 1);
  // Several events of one delivery are `<id>#n`: each becomes the first delivery's `#n`.
  return events.map((event) => ({ ...event, deliveryId: `${first}${event.deliveryId.slice(message.deliveryId.length)}` }));
}

/** Why no rule matched, for the log: the first failing condition of each rule, a few at most. */
function missReasons(dependencies: RelayDependencies, delivery: Delivery): Record<string, string> {
  const reasons: Record<string, string> = {};
  for (const decision of dependencies.engine.explain(delivery, 20)) reasons[decision.rule] = decision.reason ?? '';
  return reasons;
}

/**
 * A follow message (lambda/status): one look at an execution the relay follows. Without
 * reporting set up (the stack turned it off since), it is dropped, said once in the log.
 */
async function follow(record: SQSRecord, dependencies: RelayDependencies): Promise<void> {
  let message: unknown;
  try {
    message = JSON.parse(record.body);
  } catch {
    message = undefined;
  }
  if (!isFollowMessage(message)) {
    dependencies.logger.error('A follow message the relay cannot read', { messageId: record.messageId });
    return;
  }
  const { reporting } = dependencies;
  if (!reporting) {
    dependencies.logger.warn('Reporting is off: the execution is no longer followed', { deliveryId: message.follow.deliveryId, rule: message.follow.rule });
    return;
  }
  await followExecution(message, { ...dependencies, reporting });
}

/** A pipeline as a commit status names it: `demo/build`, or its id. */
function pipelineLabel(pipeline: PipelineRef): string {
  return 'id' in pipeline ? pipeline.id : `${pipeline.project}/${pipeline.name}`;
}

function pipelineName(pipeline: PipelineRef): string {
  return 'id' in pipeline ? `id:${pipeline.id}` : `name:${pipeline.project}/${pipeline.name}`;
}
