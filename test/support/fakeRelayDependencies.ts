import type { RelayMessage } from '../../lambda/events/RelayMessage';
import type { DeadLetterQueue, DeadLetterReason } from '../../lambda/relay/DeadLetterQueue';
import type { DeferredQueue } from '../../lambda/relay/DeferredQueue';
import type { RelayDependencies } from '../../lambda/relay/RelayDependencies';
import { DEFAULT_RETRY_POLICY } from '../../lambda/relay/RetryPolicy';
import { RuleEngine } from '../../lambda/rules/RuleEngine';
import { InMemoryIdempotencyStore } from './InMemoryIdempotencyStore';
import { InMemoryQuietWindowStore } from './InMemoryQuietWindowStore';
import { RecordingLogger, RecordingMetrics } from './recordingObservability';
import { type WithOverrides, withOverrides } from './withOverrides';
import { ScriptedCodeStream } from './ScriptedCodeStream';
import { TEST_SOURCES } from './fakeIngressDependencies';

/** A clock that stands still until the test moves it. */
export class FixedClock {
  #ms: number;

  constructor(start: Date) {
    this.#ms = start.getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** The dead-letter queue, keeping what it is sent. */
export class RecordingDeadLetterQueue implements DeadLetterQueue {
  readonly sent: { body: string; why: DeadLetterReason }[] = [];

  async send(body: string, why: DeadLetterReason): Promise<void> {
    this.sent.push({ body, why });
  }
}

/** The relay's queue as deferrals use it, keeping what it is sent. */
export class RecordingDeferredQueue implements DeferredQueue {
  readonly sent: { message: RelayMessage; delaySeconds: number }[] = [];

  async send(message: RelayMessage, delaySeconds: number): Promise<void> {
    this.sent.push({ message: structuredClone(message), delaySeconds });
  }
}

export type RecordingRetryLater = RelayDependencies['retryLater'] & { calls: { receiptHandle: string; seconds: number }[] };
export type RecordingSleep = Required<RelayDependencies>['sleep'] & { delays: number[] };

/** The fakes that stand in for the relay's AWS services, Code Stream, time and observability, for a test to read. */
export interface RelayFakes extends RelayDependencies {
  codestream: ScriptedCodeStream;
  store: InMemoryIdempotencyStore;
  windows: InMemoryQuietWindowStore;
  deadLetters: RecordingDeadLetterQueue;
  deferrals: RecordingDeferredQueue;
  retryLater: RecordingRetryLater;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  sleep: RecordingSleep;
  /** What `now` and the store's leases read. */
  clock: FixedClock;
}

export const PIPELINE_ID = '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11';
/** The relay function's timeout (15 minutes) and a minute: what the stack gives a claim. */
export const LEASE_MS = 960_000;
export const STARTED_AT = new Date('2026-11-28T12:00:05Z');

/**
 * What processRecord and executeRule work with, with no AWS and no Code Stream: one rule, `build`,
 * for every push, pipeline {@link PIPELINE_ID}; a Code Stream that has been scripted no answer; the
 * idempotency store and the quiet windows in memory; a recording DLQ, deferral queue, retryLater,
 * logger and metrics; a clock stopped at
 * {@link STARTED_AT}, a sleep that returns at once, and randomness fixed at 0.5, so that every
 * backoff is the middle of its range. Anything can be replaced; what is not stays readable.
 *
 * @example
 * const relay = fakeRelayDependencies({ codestream: new ScriptedCodeStream([{ status: 503 }, { status: 202 }]) });
 * await processRecord(sqsRecord(body), () => 60_000, relay);
 * expect(relay.sleep.delays).toEqual([250]);
 */
export function fakeRelayDependencies<Overrides extends Partial<RelayFakes> = object>(overrides?: Overrides): WithOverrides<RelayFakes, Overrides> {
  const clock = overrides?.clock ?? new FixedClock(STARTED_AT);
  const calls: RecordingRetryLater['calls'] = [];
  const delays: number[] = [];
  const fakes: RelayFakes = {
    engine: RuleEngine.fromDefinitions([{ name: 'build', when: { events: ['push'] }, pipeline: { id: PIPELINE_ID } }]),
    sources: TEST_SOURCES,
    codestream: new ScriptedCodeStream([]),
    store: new InMemoryIdempotencyStore({ leaseMs: LEASE_MS, now: () => clock.now().getTime() }),
    windows: new InMemoryQuietWindowStore({ now: () => clock.now().getTime() }),
    deadLetters: new RecordingDeadLetterQueue(),
    deferrals: new RecordingDeferredQueue(),
    retryLater: Object.assign(async (receiptHandle: string, seconds: number) => void calls.push({ receiptHandle, seconds }), { calls }),
    policy: DEFAULT_RETRY_POLICY,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    now: () => clock.now(),
    sleep: Object.assign(async (ms: number) => void delays.push(ms), { delays }),
    random: () => 0.5,
    clock,
  };
  return withOverrides(fakes, overrides);
}
