import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CanonicalEvent } from '../events/CanonicalEvent';
import type { DecisionOutcome } from '../history/DeliveryRecord';
import {
  type Deferral,
  MalformedMessageError,
  type RelayMessage,
  SQS_MAX_MESSAGE_BYTES,
  messageAttributes,
  messageBody,
  serializeRelayMessage,
  sqsMessageBytes,
} from '../events/RelayMessage';
import { type CompiledRule, firstFailure } from '../rules/compileRule';
import type { Delivery } from '../rules/Delivery';
import type { QuietPeriod } from '../rules/quietPeriod';
import { MissingFieldError } from '../rules/templates';
import { MAX_DEFERRAL_SECONDS } from './DeferredQueue';
import { skipReason } from './executeRule';
import type { ExecutionKey } from './IdempotencyStore';
import type { WindowMember } from './QuietWindowStore';
import type { RelayDependencies } from './RelayDependencies';

/*
 * Quiet periods in the relay: a match of a rule with one waits in its window (relay/QuietWindowStore.ts)
 * as a copy of its delivery sent back to the queue with a delay, `deferred` naming the rule, the event
 * and the window; nothing sleeps in the function. When the copy comes back due, the window's newest
 * event runs and every other one is recorded as superseded.
 */

/** A match of a rule with a quiet period, in the delivery's first pass. */
export interface QuietMatch {
  /** The delivery as it came off the queue, its body still in S3 where ingress put it: what is sent back. */
  queued: RelayMessage;
  /** The SQS message it came in: a redrive (another message) of a match dead-lettered before it waited may wait again. */
  messageId: string;
  delivery: Delivery;
  rule: string;
  quietPeriod: QuietPeriod;
  /** Keys on every log line: delivery id, source, event kind, rule, pipeline. */
  logContext: Record<string, string>;
}

/**
 * Puts the match in its rule's window for its key and sends the delivery back to wait for it; an
 * event older than the window's newest is superseded at once. A redelivery sends the copy again
 * for the window it waits in (a duplicate copy is harmless: firing is idempotent and the
 * execution is claimed once), and does nothing for an event already decided.
 *
 * @returns `refused`: why the match cannot wait, for the caller to dead-letter as rejected (a key
 *   template that needs a field the delivery lacks, or a delivery too large to send back); else
 *   what became of it, for the delivery log.
 */
export async function deferMatch(match: QuietMatch, dependencies: RelayDependencies): Promise<{ refused: string } | QuietDecision> {
  const { event } = match.delivery;
  const key: ExecutionKey = { source: event.source, deliveryId: event.deliveryId, rule: match.rule };
  let windowKey: string[];
  try {
    windowKey = match.quietPeriod.key(match.delivery);
  } catch (error) {
    if (error instanceof MissingFieldError) return { refused: `the rule's templates failed: ${error.message}` };
    throw error;
  }
  const found = await dependencies.store.get(key);
  // A redrive of a match dead-lettered before it could wait (its key, its size) waits as a new one.
  let recorded = found?.status === 'dead_lettered' && found.messageId !== match.messageId ? undefined : found;
  if (recorded !== undefined && recorded.status !== 'deferred') {
    dependencies.logger.info('Already handled', { ...match.logContext, reason: skipReason(recorded) });
    return { outcome: 'skipped', reason: skipReason(recorded) };
  }
  const sendable = await sendableMessage(match.queued, { rule: match.rule, eventDeliveryId: event.deliveryId, key: windowKey }, dependencies);
  if ('reason' in sendable) return { refused: sendable.reason };
  if (recorded === undefined) {
    const joined = await dependencies.windows.join({ rule: match.rule, key: windowKey }, memberOf(event), match.quietPeriod.ms);
    if (joined.state === 'superseded') return supersede(key, joined.by, joined.windowId, match.logContext, dependencies);
    const window = { windowId: joined.windowId, key: windowKey, dueAt: joined.dueAt };
    // Another receive of the same event recorded its window first: this one goes by that.
    recorded = (await dependencies.store.markDeferred(key, window, match.messageId)) ? { status: 'deferred', attempts: 0, ...window } : await dependencies.store.get(key);
    if (recorded?.status !== 'deferred') {
      const reason = recorded ? skipReason(recorded) : 'its record is gone';
      dependencies.logger.info('Already handled', { ...match.logContext, reason });
      return { outcome: 'skipped', reason };
    }
  }
  const deferral: Deferral = { rule: match.rule, eventDeliveryId: event.deliveryId, key: recorded.key, windowId: recorded.windowId, dueAt: recorded.dueAt };
  const inSeconds = delaySeconds(deferral.dueAt, dependencies);
  await dependencies.deferrals.send({ ...sendable.message, deferred: deferral }, inSeconds);
  dependencies.logger.info('Waiting out the quiet period', { ...match.logContext, quietPeriod: match.quietPeriod.text, key: deferral.key, windowId: deferral.windowId, dueAt: deferral.dueAt, inSeconds });
  dependencies.metrics?.addMetric('deferred', MetricUnit.Count, 1);
  return { outcome: 'deferred', reason: `waits out the quiet period (${match.quietPeriod.text}) until ${deferral.dueAt}` };
}

/** What became of a quiet match or a deferred arrival, for the delivery log. */
export interface QuietDecision {
  outcome: Extract<DecisionOutcome, 'deferred' | 'superseded' | 'skipped'>;
  reason: string;
}

/** A deferred delivery come back from the queue. */
export interface DeferredArrival {
  /** As it came off the queue: what is sent back again when the window is not due yet. */
  queued: RelayMessage;
  deferral: Deferral;
  /** The deferred event, under its `eventDeliveryId` ({@link deferredEvent}). */
  delivery: Delivery;
  logContext: Record<string, string>;
}

/**
 * What a deferred delivery comes to: sent back again while its window is not due (SQS delays 15
 * minutes at most); dropped, with the reason logged, when its rule is gone or no longer matches;
 * once due, the rule to run when the event is its window's newest (or was decided before: the
 * execution's record then says what to do, as for any redelivery or redrive), else recorded as
 * superseded.
 *
 * @returns the rule to execute for the event; else what became of the event, for the delivery log
 *   (nothing new while it still waits).
 */
export async function settleDeferral(arrival: DeferredArrival, dependencies: RelayDependencies): Promise<{ run: CompiledRule } | { decided?: QuietDecision }> {
  const { deferral, delivery, logContext } = arrival;
  const { logger } = dependencies;
  const rule = dependencies.engine.rule(deferral.rule);
  if (!rule) {
    const reason = `the config has no rule "${deferral.rule}" any more`;
    logger.warn('Dropped a deferred event: its rule is gone', { ...logContext, reason });
    dependencies.metrics?.addMetric('deferralsDropped', MetricUnit.Count, 1);
    return { decided: { outcome: 'skipped', reason: `dropped after its quiet period: ${reason}` } };
  }
  const inSeconds = delaySeconds(deferral.dueAt, dependencies);
  if (inSeconds > 0) {
    await dependencies.deferrals.send(arrival.queued, inSeconds);
    logger.debug('Still waiting out the quiet period', { ...logContext, windowId: deferral.windowId, dueAt: deferral.dueAt, inSeconds });
    return {};
  }
  const failure = firstFailure(rule, delivery);
  if (failure !== undefined) {
    logger.warn('Dropped a deferred event: it no longer matches its rule', { ...logContext, reason: failure });
    dependencies.metrics?.addMetric('deferralsDropped', MetricUnit.Count, 1);
    return { decided: { outcome: 'skipped', reason: `dropped after its quiet period: it no longer matches its rule: ${failure}` } };
  }
  const { event } = delivery;
  const key: ExecutionKey = { source: event.source, deliveryId: event.deliveryId, rule: rule.name };
  const recorded = await dependencies.store.get(key);
  if (recorded !== undefined && recorded.status !== 'deferred') return { run: rule };
  const fired = await dependencies.windows.fire({ rule: rule.name, key: deferral.key }, deferral.windowId, memberOf(event));
  if (fired.state === 'superseded') return { decided: await supersede(key, fired.by, deferral.windowId, logContext, dependencies) };
  logger.info('The quiet period is over: running the newest event of the window', { ...logContext, key: deferral.key, windowId: deferral.windowId });
  return { run: rule };
}

/**
 * The event a deferred delivery waits for, under the delivery id its execution is keyed by: of a
 * delivery of several events (`<id>#n`), the one with the same `#n`; a repeat's id names the first
 * delivery, with the same suffix.
 * @throws MalformedMessageError when the delivery has no such event.
 */
export function deferredEvent(message: RelayMessage, events: readonly CanonicalEvent[], deferral: Deferral): { event: CanonicalEvent; index: number } {
  const { eventDeliveryId } = deferral;
  const hash = eventDeliveryId.lastIndexOf('#');
  const suffix = events.length === 1 || hash < 0 ? '' : eventDeliveryId.slice(hash);
  const index = events.findIndex((candidate) => candidate.deliveryId.slice(message.deliveryId.length) === suffix);
  const event = events[index];
  if (!event) throw new MalformedMessageError(`the deferred event ${eventDeliveryId} is not one of the delivery's events`);
  return { event: { ...event, deliveryId: eventDeliveryId }, index };
}

/** Records the decision, logs "Superseded" and counts it; a key decided otherwise already is left alone. */
async function supersede(key: ExecutionKey, by: string | undefined, windowId: string, logContext: Record<string, string>, dependencies: RelayDependencies): Promise<QuietDecision> {
  const supersededBy = by ?? 'unknown: its quiet window expired from the table';
  if (await dependencies.store.markSuperseded(key, { supersededBy, windowId })) {
    dependencies.logger.info('Superseded', { ...logContext, deliveryId: key.deliveryId, rule: key.rule, supersededBy, windowId });
    dependencies.metrics?.addMetric('superseded', MetricUnit.Count, 1);
    return { outcome: 'superseded', reason: `superseded by delivery ${supersededBy}, a newer event of its quiet window` };
  }
  const recorded = await dependencies.store.get(key);
  const reason = recorded ? skipReason(recorded) : 'its record is gone';
  dependencies.logger.info('Already handled', { ...logContext, reason });
  return { outcome: 'skipped', reason };
}

function memberOf(event: CanonicalEvent): WindowMember {
  return { source: event.source, deliveryId: event.deliveryId, receivedAt: event.receivedAt };
}

/** Seconds until `dueAt`, whole, at most a deferral's longest; 0 once due. */
function delaySeconds(dueAt: string, dependencies: RelayDependencies): number {
  const ms = Date.parse(dueAt) - (dependencies.now ?? (() => new Date()))().getTime();
  return Math.min(MAX_DEFERRAL_SECONDS, Math.max(0, Math.ceil(ms / 1000)));
}

/** A window id and a due time take this many characters whatever they are: a UUID, an ISO time. */
const WINDOW_PLACEHOLDER = { windowId: '00000000-0000-0000-0000-000000000000', dueAt: new Date(0).toISOString() };

/**
 * The delivery as it can be sent back with its deferral: as it came where that fits SQS's limit,
 * else with its body put in S3 (a claim check, as ingress makes for a large body) — a delivery
 * just under the limit has no room for the deferral. Without a bucket, why it cannot wait.
 */
async function sendableMessage(
  queued: RelayMessage,
  deferral: Omit<Deferral, 'windowId' | 'dueAt'>,
  dependencies: RelayDependencies,
): Promise<{ message: RelayMessage } | { reason: string }> {
  const sized = { ...queued, deferred: { ...deferral, ...WINDOW_PLACEHOLDER } };
  const bytes = sqsMessageBytes(serializeRelayMessage(sized).bytes, messageAttributes(sized));
  if (bytes <= SQS_MAX_MESSAGE_BYTES) return { message: queued };
  if (!dependencies.bodies || queued.bodyRef !== undefined) {
    return { reason: `with its deferral the delivery is ${bytes} bytes, more than a queued message holds (${SQS_MAX_MESSAGE_BYTES}), and this relay has no BODY_BUCKET to keep its body in` };
  }
  let stored = storedBodies.get(queued);
  if (!stored) {
    const { body: _text, bodyBase64: _bytes, ...envelope } = queued;
    stored = dependencies.bodies.put(messageBody(queued), queued.source).then((bodyRef) => ({ ...envelope, bodyRef }));
    storedBodies.set(queued, stored);
  }
  return { message: await stored };
}

/** A delivery's body put in S3 for its deferrals: once per record, however many of its rules wait. */
const storedBodies = new WeakMap<RelayMessage, Promise<RelayMessage>>();
