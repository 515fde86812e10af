import { type RuleCall, executeRule } from '../../../lambda/relay/executeRule';
import { CODESTREAM_URL, ScriptedCodeStream, type ScriptedAnswer } from '../../support/ScriptedCodeStream';
import { LEASE_MS, PIPELINE_ID, STARTED_AT, fakeRelayDependencies } from '../../support/fakeRelayDependencies';

const KEY = { source: 'github', deliveryId: '5ecc39b7-d405-47c5-a937-cc1e658d5686', rule: 'build' };
const TAGS = [`delivery:${KEY.deliveryId}`, 'rule:build'];
const AT_START = STARTED_AT.toISOString();
/** The ids the scripted Code Stream gives the executions it starts, in turn. */
const FIRST_EXECUTION = '0f6c1d2e-0000-4000-8000-000000000001';

/** The call processRecord makes for the rule `build` of a push, on the first receive of message msg-1. */
function ruleCall(overrides: Partial<RuleCall> = {}): RuleCall {
  return {
    key: KEY,
    pipeline: { id: PIPELINE_ID },
    request: { comments: 'push to main by alice', input: { GIT_BRANCH_NAME: 'main' }, tags: TAGS },
    messageId: 'msg-1',
    tags: TAGS,
    remainingMs: () => 60_000,
    logContext: { deliveryId: KEY.deliveryId, rule: 'build' },
    ...overrides,
  };
}

const relayWith = (...script: ScriptedAnswer[]) => fakeRelayDependencies({ codestream: new ScriptedCodeStream(script) });

describe('a holder whose lease lapsed during its call', () => {
  it('cannot release the key another receive took meanwhile: that receive keeps it, and no third call is made at once', async () => {
    const relay = relayWith();
    const slowTimeout = {
      readExecution: relay.codestream.readExecution.bind(relay.codestream),
      lookupExecution: async () => ({ found: false as const }),
      execute: async () => {
        // The call outlives the lease; an SQS redelivery of the message claims the key meanwhile.
        relay.clock.advance(LEASE_MS);
        expect(await relay.store.claim(KEY, 'msg-1-again')).toMatchObject({ claimed: true });
        return { kind: 'retryable', cause: 'timeout', stage: 'execute', maybeProcessed: true, reason: 'no answer from Code Stream within 10000 ms', snippet: '' } as const;
      },
    };

    expect(await executeRule(ruleCall(), { ...relay, codestream: slowTimeout })).toEqual({ state: 'skipped', why: 'its claim lapsed and another receive took the key over' });
    expect(await relay.store.get(KEY)).toMatchObject({ status: 'in_progress', messageId: 'msg-1-again' });
    expect(await relay.store.claim(KEY, 'msg-3')).toMatchObject({ claimed: false });
    expect(relay.logger.lines.map((line) => line.message)).toContain('The claim lapsed before the failure was recorded; another receive holds the key');
  });
});

describe('the claim', () => {
  it('skips a key whose execution was created already, without calling Code Stream', async () => {
    const relay = relayWith();
    const claim = await relay.store.claim(KEY, 'msg-0');
    await relay.store.markCreated(KEY, { executionId: 'e-0', attempts: 1, token: claim.claimed ? claim.token : undefined });

    expect(await executeRule(ruleCall(), relay)).toEqual({ state: 'skipped', why: 'its execution was already created (a duplicate or redelivered message)', record: expect.objectContaining({ status: 'created', executionId: 'e-0' }) });
    expect(relay.codestream.calls).toEqual([]);
  });

  it('skips a key that another message of the same delivery holds', async () => {
    const relay = relayWith();
    await relay.store.claim(KEY, 'msg-0');

    expect(await executeRule(ruleCall(), relay)).toMatchObject({ state: 'skipped', why: 'another message of the same delivery is executing it now' });
    expect(relay.codestream.calls).toEqual([]);
  });
});

describe('created', () => {
  it('calls Code Stream once with the request, and records the execution as created', async () => {
    const relay = relayWith({ status: 202 });

    expect(await executeRule(ruleCall(), relay)).toMatchObject({ state: 'created', executionId: FIRST_EXECUTION });
    expect(relay.codestream.calls).toEqual([{ pipeline: { id: PIPELINE_ID }, request: ruleCall().request }]);
    expect(await relay.store.get(KEY)).toEqual({
      status: 'created',
      executionId: FIRST_EXECUTION,
      executionLink: `${CODESTREAM_URL}/codestream/api/executions/${FIRST_EXECUTION}`,
      attempts: 1,
      firstAttemptAt: AT_START,
      lastAttemptAt: AT_START,
    });
  });

  it('logs "Execution created" with the execution, and counts it in "executionsCreated"', async () => {
    const relay = relayWith({ status: 200 });
    await executeRule(ruleCall(), relay);

    expect(relay.logger.named('Execution created')).toEqual([
      {
        level: 'info',
        message: 'Execution created',
        attributes: { deliveryId: KEY.deliveryId, rule: 'build', outcome: 'created', executionId: FIRST_EXECUTION, executionLink: `${CODESTREAM_URL}/codestream/api/executions/${FIRST_EXECUTION}` },
      },
    ]);
    expect(relay.metrics.points.filter((point) => point.name !== 'codeStreamLatency')).toEqual([{ name: 'executionsCreated', unit: 'Count', value: 1 }]);
  });
});

describe('retryable', () => {
  it('retries within the invocation after a growing backoff, until Code Stream creates the execution', async () => {
    const relay = relayWith({ status: 503 }, { status: 503 }, { status: 202 });

    expect(await executeRule(ruleCall(), relay)).toMatchObject({ state: 'created', executionId: FIRST_EXECUTION });
    // Full jitter at 0.5: half of 500 ms, then half of 1000 ms.
    expect(relay.sleep.delays).toEqual([250, 500]);
    expect(await relay.store.get(KEY)).toMatchObject({ status: 'created', attempts: 3 });
  });

  it('waits at least as long as Retry-After asked', async () => {
    const relay = relayWith({ status: 429, headers: { 'retry-after': '2' } }, { status: 202 });

    await executeRule(ruleCall(), relay);
    expect(relay.sleep.delays).toEqual([2_000]);
  });

  it('after the attempts of one invocation, leaves the retry to the queue and records the key as retrying', async () => {
    const relay = relayWith({ status: 503 }, { status: 502 }, { status: 503 });

    expect(await executeRule(ruleCall(), relay)).toMatchObject({
      state: 'retry',
      outcome: { kind: 'retryable', status: 503, reason: `Code Stream answered 503 for pipeline ${PIPELINE_ID}` },
      attempts: 3,
      firstAttemptAt: AT_START,
      lastAttemptAt: AT_START,
    });
    expect(relay.codestream.calls).toHaveLength(3);
    expect(await relay.store.get(KEY)).toEqual({
      status: 'retrying',
      uncertain: false,
      lastOutcome: `Code Stream answered 503 for pipeline ${PIPELINE_ID}`,
      attempts: 3,
      firstAttemptAt: AT_START,
      lastAttemptAt: AT_START,
    });
  });

  it('does not start a backoff that would leave no time for a call and the safety margin', async () => {
    // 2 s of margin, 250 ms of backoff and a call of at least 1 s do not fit in 3.2 s.
    const relay = relayWith({ status: 503 });

    expect(await executeRule(ruleCall({ remainingMs: () => 3_200 }), relay)).toMatchObject({ state: 'retry', attempts: 1 });
    expect(relay.sleep.delays).toEqual([]);
  });

  it('makes no call with less than a second to spare, and releases the key for a later receive', async () => {
    const relay = relayWith();

    expect(await executeRule(ruleCall({ remainingMs: () => 2_900 }), relay)).toMatchObject({
      state: 'retry',
      attempts: 0,
      outcome: { kind: 'retryable', reason: 'the invocation had too little time left to call Code Stream' },
    });
    expect(relay.codestream.calls).toEqual([]);
    expect(await relay.store.get(KEY)).toMatchObject({ status: 'retrying', uncertain: false });
  });

  it('reads the time left before each call and each backoff', async () => {
    // Before the first call, before its backoff, before the second call, before its backoff.
    const remaining = [60_000, 60_000, 60_000, 3_200];
    const relay = relayWith({ status: 503 }, { status: 503 });

    expect(await executeRule(ruleCall({ remainingMs: () => remaining.shift() ?? 0 }), relay)).toMatchObject({ state: 'retry', attempts: 2 });
    expect(relay.sleep.delays).toEqual([250]);
  });
});

describe('a call that may have been processed (a timeout)', () => {
  it('is not repeated within the invocation: the record goes back to the queue, the key retrying as uncertain', async () => {
    const relay = relayWith({ timeout: true, started: true });

    expect(await executeRule(ruleCall(), relay)).toMatchObject({ state: 'retry', outcome: { kind: 'retryable', cause: 'timeout', maybeProcessed: true }, attempts: 1 });
    expect(relay.sleep.delays).toEqual([]);
    expect(await relay.store.get(KEY)).toMatchObject({ status: 'retrying', uncertain: true, attempts: 1 });
  });

  it('on the next receive, once the call has had time to settle, is found by a lookup instead of called again', async () => {
    const relay = relayWith({ timeout: true, started: true });
    await executeRule(ruleCall(), relay);
    const firstAttemptAt = (await relay.store.get(KEY))?.firstAttemptAt;
    relay.clock.advance(relay.policy.uncertainSettleMs);

    expect(await executeRule(ruleCall(), relay)).toMatchObject({ state: 'created', executionId: FIRST_EXECUTION });
    expect(relay.codestream.calls).toHaveLength(1);
    // It looks back to the first call, however many executions the pipeline has started since.
    expect(relay.codestream.lookups).toEqual([{ pipeline: { id: PIPELINE_ID }, tags: TAGS, since: Date.parse(firstAttemptAt ?? '') }]);
    expect(await relay.store.get(KEY)).toMatchObject({ status: 'created', executionId: FIRST_EXECUTION, attempts: 1 });
  });

  it('on the next receive, calls again when the lookup finds no execution', async () => {
    const relay = relayWith({ timeout: true, started: false }, { status: 202 });
    await executeRule(ruleCall(), relay);
    relay.clock.advance(relay.policy.uncertainSettleMs);

    expect(await executeRule(ruleCall(), relay)).toMatchObject({ state: 'created', executionId: FIRST_EXECUTION });
    expect(relay.codestream.lookups).toHaveLength(1);
    expect(relay.codestream.calls).toHaveLength(2);
    expect(await relay.store.get(KEY)).toMatchObject({ status: 'created', attempts: 2 });
  });

  it('on a receive before the call has settled, waits out the rest without looking or calling', async () => {
    const relay = relayWith({ timeout: true, started: true });
    await executeRule(ruleCall(), relay);
    relay.clock.advance(10_000);

    expect(await executeRule(ruleCall(), relay)).toEqual({ state: 'busy', retryAfterMs: relay.policy.uncertainSettleMs - 10_000 });
    expect(relay.codestream.lookups).toEqual([]);
    expect(relay.codestream.calls).toHaveLength(1);
  });
});

describe('a final outcome', () => {
  it.each([
    [403, 'forbidden'],
    [404, 'notFound'],
    [400, 'rejected'],
  ])('%i: fails at once, without a retry, with the outcome and the attempt', async (status, kind) => {
    const relay = relayWith({ status });

    expect(await executeRule(ruleCall(), relay)).toMatchObject({ state: 'failed', outcome: { kind, status }, attempts: 1, firstAttemptAt: AT_START, lastAttemptAt: AT_START });
    expect(relay.codestream.calls).toHaveLength(1);
    expect(relay.sleep.delays).toEqual([]);
  });
});
