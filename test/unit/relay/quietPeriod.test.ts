import { type RelayMessage, parseRelayMessage, serializeRelayMessage } from '../../../lambda/events/RelayMessage';
import { RetryLaterError, processRecord } from '../../../lambda/relay/processRecord';
import type { QuietPeriodDefinition } from '../../../lambda/rules/RuleDefinition';
import { RuleEngine } from '../../../lambda/rules/RuleEngine';
import { InMemoryBodyStore } from '../../support/InMemoryBodyStore';
import { queuedMessage } from '../../support/queuedMessage';
import { ScriptedCodeStream, type ScriptedAnswer } from '../../support/ScriptedCodeStream';
import { PIPELINE_ID, STARTED_AT, fakeRelayDependencies } from '../../support/fakeRelayDependencies';
import { sqsRecord } from '../../support/sqsRecord';
import { fixture, fixtureJson } from '../../support/webhookFixtures';

const TIME_LEFT = () => 60_000;
const MINUTE = 60_000;

let message: RelayMessage;

beforeAll(async () => {
  ({ message } = await queuedMessage('github', fixture('github/push.branch-created')));
});

/** `build` waits out a quiet period; `lint` runs every push at once. */
function rules(quietPeriod: QuietPeriodDefinition = { minutes: 5 }): RuleEngine {
  return RuleEngine.fromDefinitions([
    { name: 'build', when: { events: ['push'] }, pipeline: { id: PIPELINE_ID }, quietPeriod },
    { name: 'lint', when: { events: ['push'] }, pipeline: { project: 'demo', name: 'lint' } },
  ]);
}

function relayWith(script: ScriptedAnswer[] = [], quietPeriod?: QuietPeriodDefinition) {
  return fakeRelayDependencies({ engine: rules(quietPeriod), codestream: new ScriptedCodeStream(script) });
}

type Relay = ReturnType<typeof relayWith>;

/** A push of commit `commit` to `branch`, queued by ingress `afterMs` after the relay's clock started. */
function push(deliveryId: string, commit: string, afterMs = 0, branch = 'master'): string {
  const body = { ...fixtureJson('github/push.branch-created'), ref: `refs/heads/${branch}`, after: commit, head_commit: { ...(fixtureJson('github/push.branch-created').head_commit as object), id: commit } };
  return JSON.stringify({
    ...message,
    deliveryId,
    receivedAt: new Date(STARTED_AT.getTime() + afterMs).toISOString(),
    headers: { ...message.headers, 'x-github-delivery': deliveryId },
    bodyBase64: Buffer.from(JSON.stringify(body)).toString('base64'),
  });
}

/** The record SQS gives back for the n-th delivery the relay deferred. */
function deferredRecord(relay: Relay, index: number, messageId = `deferred-${index}`) {
  const sent = relay.deferrals.sent[index];
  if (!sent) throw new Error(`the relay deferred ${relay.deferrals.sent.length} deliveries, not ${index + 1}`);
  return sqsRecord(serializeRelayMessage(sent.message).json, { messageId });
}

const commitsRun = (relay: Relay) => relay.codestream.calls.filter((call) => 'id' in call.pipeline).map((call) => call.request.input?.GIT_COMMIT_ID);
const buildKey = (deliveryId: string) => ({ source: 'github', deliveryId, rule: 'build' });

describe('a rule with a quiet period', () => {
  it('waits instead of executing: the delivery goes back to the queue, delayed, naming the rule, the event and its window', async () => {
    const relay = relayWith([{ status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);

    const dueAt = new Date(STARTED_AT.getTime() + 5 * MINUTE).toISOString();
    expect(relay.deferrals.sent).toEqual([
      {
        delaySeconds: 300,
        message: expect.objectContaining({
          deliveryId: 'push-1',
          bodyBase64: expect.any(String),
          deferred: { rule: 'build', eventDeliveryId: 'push-1', key: ['github', 'Codertocat/Hello-World', 'branch:master'], windowId: expect.any(String), dueAt },
        }),
      },
    ]);
    expect(await relay.store.get(buildKey('push-1'))).toEqual({ status: 'deferred', attempts: 0, windowId: relay.deferrals.sent[0]?.message.deferred?.windowId, key: expect.any(Array), dueAt });
    expect(relay.logger.named('Waiting out the quiet period')).toEqual([
      expect.objectContaining({ level: 'info', attributes: expect.objectContaining({ deliveryId: 'push-1', rule: 'build', quietPeriod: '5 min', dueAt, inSeconds: 300 }) }),
    ]);
    expect(relay.metrics.points.filter((point) => point.name === 'deferred')).toEqual([{ name: 'deferred', unit: 'Count', value: 1 }]);
  });

  it('lets the delivery’s other rules run at once', async () => {
    const relay = relayWith([{ status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);

    expect(relay.codestream.calls.map((call) => call.pipeline)).toEqual([{ project: 'demo', name: 'lint' }]);
  });

  it('runs the newest push once the window is due, and records the others as superseded by it', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }, { status: 202 }, { status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1', 0)), TIME_LEFT, relay);
    relay.clock.advance(MINUTE);
    await processRecord(sqsRecord(push('push-2', 'c2', MINUTE)), TIME_LEFT, relay);
    relay.clock.advance(MINUTE);
    await processRecord(sqsRecord(push('push-3', 'c3', 2 * MINUTE)), TIME_LEFT, relay);
    // The window is due five minutes after the first push, however many join it.
    expect(relay.deferrals.sent.map((sent) => sent.delaySeconds)).toEqual([300, 240, 180]);
    expect(new Set(relay.deferrals.sent.map((sent) => sent.message.deferred?.windowId)).size).toBe(1);

    relay.clock.advance(3 * MINUTE);
    for (const index of [0, 1, 2]) await processRecord(deferredRecord(relay, index), TIME_LEFT, relay);

    expect(commitsRun(relay)).toEqual(['c3']);
    expect(relay.codestream.calls.at(-1)?.request.tags).toEqual(['delivery:push-3', 'rule:build']);
    expect(await relay.store.get(buildKey('push-3'))).toMatchObject({ status: 'created' });
    for (const older of ['push-1', 'push-2']) expect(await relay.store.get(buildKey(older))).toMatchObject({ status: 'superseded', supersededBy: 'push-3' });
    expect(relay.logger.named('Superseded').map((line) => line.attributes)).toEqual([
      expect.objectContaining({ deliveryId: 'push-1', rule: 'build', supersededBy: 'push-3' }),
      expect.objectContaining({ deliveryId: 'push-2', rule: 'build', supersededBy: 'push-3' }),
    ]);
    expect(relay.metrics.points.filter((point) => point.name === 'superseded')).toEqual([
      { name: 'superseded', unit: 'Count', value: 1 },
      { name: 'superseded', unit: 'Count', value: 1 },
    ]);
  });

  it('supersedes at once a push received before the window’s newest, sending nothing back', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }]);
    await processRecord(sqsRecord(push('push-2', 'c2', MINUTE)), TIME_LEFT, relay);
    await processRecord(sqsRecord(push('push-1', 'c1', 0)), TIME_LEFT, relay);

    expect(relay.deferrals.sent).toHaveLength(1);
    expect(await relay.store.get(buildKey('push-1'))).toMatchObject({ status: 'superseded', supersededBy: 'push-2' });
  });

  it('keeps branches apart: one window, and one execution, per branch', async () => {
    const relay = relayWith(Array.from({ length: 6 }, () => ({ status: 202 })));
    await processRecord(sqsRecord(push('main-1', 'm1', 0, 'main')), TIME_LEFT, relay);
    await processRecord(sqsRecord(push('dev-1', 'd1', 1, 'dev')), TIME_LEFT, relay);
    await processRecord(sqsRecord(push('main-2', 'm2', 2, 'main')), TIME_LEFT, relay);
    relay.clock.advance(5 * MINUTE);
    for (const index of [0, 1, 2]) await processRecord(deferredRecord(relay, index), TIME_LEFT, relay);

    expect(commitsRun(relay).sort()).toEqual(['d1', 'm2']);
  });

  it('uses the rule’s own key templates: one window for every branch', async () => {
    const relay = relayWith(Array.from({ length: 4 }, () => ({ status: 202 })), { seconds: 30, key: ['${event.git.repository.fullName}'] });
    await processRecord(sqsRecord(push('main-1', 'm1', 0, 'main')), TIME_LEFT, relay);
    await processRecord(sqsRecord(push('dev-1', 'd1', 1, 'dev')), TIME_LEFT, relay);
    expect(relay.deferrals.sent.map((sent) => [sent.delaySeconds, sent.message.deferred?.key])).toEqual([
      [30, ['Codertocat/Hello-World']],
      [30, ['Codertocat/Hello-World']],
    ]);
    relay.clock.advance(30_000);
    for (const index of [0, 1]) await processRecord(deferredRecord(relay, index), TIME_LEFT, relay);

    expect(commitsRun(relay)).toEqual(['d1']);
  });

  it('dead-letters as rejected a push its key templates cannot render, without a window', async () => {
    const relay = relayWith([{ status: 202 }], { minutes: 1, key: ['${body.missing}'] });
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);

    expect(relay.deferrals.sent).toEqual([]);
    expect(relay.deadLetters.sent.map((sent) => [sent.why.rule, sent.why.outcome, sent.why.reason])).toEqual([
      ['build', 'rejected', expect.stringMatching(/^the rule's templates failed: quietPeriod\.key\[0\]: \$\{body\.missing\} has no value/)],
    ]);

    // The operator fixes the key and redrives the record: it waits, then runs, once.
    const fixed = fakeRelayDependencies({ ...relay, engine: rules({ minutes: 1, key: ['${body.missing:-all}'] }), codestream: new ScriptedCodeStream([{ status: 202 }]) });
    const redrive = sqsRecord(relay.deadLetters.sent[0]?.body ?? '', { messageId: 'redrive-1' });
    await processRecord(redrive, TIME_LEFT, fixed);
    await processRecord(redrive, TIME_LEFT, fixed);
    fixed.clock.advance(MINUTE);
    for (const index of [0, 1]) await processRecord(deferredRecord(fixed, index), TIME_LEFT, fixed);
    expect(commitsRun(fixed)).toEqual(['c1']);
  });
});

describe('a deferred delivery come back', () => {
  it('before its window is due, goes back again for what remains, 14 minutes at most', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }], { minutes: 40 });
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);
    relay.clock.advance(14 * MINUTE);
    await processRecord(deferredRecord(relay, 0), TIME_LEFT, relay);
    relay.clock.advance(14 * MINUTE);
    await processRecord(deferredRecord(relay, 1), TIME_LEFT, relay);
    relay.clock.advance(11 * MINUTE + 50_000);
    await processRecord(deferredRecord(relay, 2), TIME_LEFT, relay);

    expect(relay.deferrals.sent.map((sent) => sent.delaySeconds)).toEqual([840, 840, 720, 10]);
    expect(relay.deferrals.sent.slice(1).map((sent) => sent.message)).toEqual([1, 2, 3].map(() => relay.deferrals.sent[0]?.message));
    expect(commitsRun(relay)).toEqual([]);
    relay.clock.advance(10_000);
    await processRecord(deferredRecord(relay, 3), TIME_LEFT, relay);
    expect(commitsRun(relay)).toEqual(['c1']);
  });

  it('runs once, however often SQS delivers it, and skips after', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);
    relay.clock.advance(5 * MINUTE);
    const due = deferredRecord(relay, 0);
    await processRecord(due, TIME_LEFT, relay);
    await processRecord({ ...due, attributes: { ...due.attributes, ApproximateReceiveCount: '2' } }, TIME_LEFT, relay);
    await processRecord(deferredRecord(relay, 0, 'a-duplicate-copy'), TIME_LEFT, relay);

    expect(commitsRun(relay)).toEqual(['c1']);
    expect(relay.logger.named('Already handled').map((line) => line.attributes.reason)).toEqual([
      'its execution was already created (a duplicate or redelivered message)',
      'its execution was already created (a duplicate or redelivered message)',
    ]);
  });

  it('runs after a crash between firing its window and claiming the execution', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }, { status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);
    relay.clock.advance(5 * MINUTE);
    const deferral = relay.deferrals.sent[0]?.message.deferred;
    // What the crashed receive did: fired the window, and no more.
    await relay.windows.fire({ rule: 'build', key: deferral?.key ?? [] }, deferral?.windowId ?? '', { source: 'github', deliveryId: 'push-1', receivedAt: STARTED_AT.toISOString() });
    // Meanwhile a newer push opened the next window.
    await processRecord(sqsRecord(push('push-2', 'c2', 5 * MINUTE)), TIME_LEFT, relay);

    await processRecord(deferredRecord(relay, 0), TIME_LEFT, relay);
    expect(commitsRun(relay)).toEqual(['c1']);
  });

  it('superseded, is skipped with who runs instead when it comes again, or is redriven', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }, { status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1', 0)), TIME_LEFT, relay);
    await processRecord(sqsRecord(push('push-2', 'c2', 1)), TIME_LEFT, relay);
    relay.clock.advance(5 * MINUTE);
    await processRecord(deferredRecord(relay, 0), TIME_LEFT, relay);
    await processRecord(deferredRecord(relay, 0, 'redriven'), TIME_LEFT, relay);

    expect(commitsRun(relay)).toEqual([]);
    expect(relay.logger.named('Already handled').map((line) => line.attributes.reason)).toEqual([
      'superseded by delivery push-2, a newer event of its quiet window',
    ]);
  });

  it('whose first pass is redelivered after the window ran, opens no new window', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }, { status: 202 }]);
    const first = sqsRecord(push('push-1', 'c1'), { messageId: 'msg-1' });
    await processRecord(first, TIME_LEFT, relay);
    relay.clock.advance(5 * MINUTE);
    await processRecord(deferredRecord(relay, 0), TIME_LEFT, relay);
    await processRecord({ ...first, attributes: { ...first.attributes, ApproximateReceiveCount: '2' } }, TIME_LEFT, relay);

    expect(relay.deferrals.sent).toHaveLength(1);
    expect(commitsRun(relay)).toEqual(['c1']);
  });

  it('whose first pass is redelivered while it waits, is sent back again for the same window', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }, { status: 202 }]);
    const first = sqsRecord(push('push-1', 'c1'), { messageId: 'msg-1' });
    await processRecord(first, TIME_LEFT, relay);
    relay.clock.advance(MINUTE);
    await processRecord(first, TIME_LEFT, relay);

    expect(relay.deferrals.sent.map((sent) => [sent.delaySeconds, sent.message.deferred])).toEqual([
      [300, relay.deferrals.sent[0]?.message.deferred],
      [240, relay.deferrals.sent[0]?.message.deferred],
    ]);
    relay.clock.advance(4 * MINUTE);
    for (const index of [0, 1]) await processRecord(deferredRecord(relay, index), TIME_LEFT, relay);
    expect(commitsRun(relay)).toEqual(['c1']);
  });

  it('of a repeat (the same body under another delivery id) waits and runs as the first delivery, once', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }]);
    const first = push('push-1', 'c1');
    await processRecord(sqsRecord(first), TIME_LEFT, relay);
    const repeat = JSON.stringify({ ...(JSON.parse(first) as RelayMessage), deliveryId: 'resent-1' });
    await processRecord(sqsRecord(repeat), TIME_LEFT, relay);
    expect(relay.deferrals.sent.map((sent) => [sent.message.deliveryId, sent.message.deferred?.eventDeliveryId])).toEqual([
      ['push-1', 'push-1'],
      ['resent-1', 'push-1'],
    ]);
    relay.clock.advance(5 * MINUTE);
    for (const index of [1, 0]) await processRecord(deferredRecord(relay, index), TIME_LEFT, relay);

    expect(relay.codestream.calls.filter((call) => 'id' in call.pipeline).map((call) => call.request.tags)).toEqual([['delivery:push-1', 'rule:build']]);
  });

  it('retries a failed call from the queue, and dead-letters a refused one as itself, redrivable', async () => {
    const relay = relayWith([{ status: 202 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 403 }, { status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);
    relay.clock.advance(5 * MINUTE);
    const due = deferredRecord(relay, 0);
    await expect(processRecord(due, TIME_LEFT, relay)).rejects.toBeInstanceOf(RetryLaterError);
    expect(relay.retryLater.calls.map((call) => call.receiptHandle)).toEqual([due.receiptHandle]);
    await processRecord({ ...due, attributes: { ...due.attributes, ApproximateReceiveCount: '2' } }, TIME_LEFT, relay);

    const [dead] = relay.deadLetters.sent;
    expect(dead?.why).toMatchObject({ deliveryId: 'push-1', rule: 'build', outcome: 'forbidden' });
    expect(parseRelayMessage(dead?.body ?? '').deferred).toMatchObject({ rule: 'build', eventDeliveryId: 'push-1' });
    // The operator redrives it: a new message, the same body.
    await processRecord(sqsRecord(dead?.body ?? '', { messageId: 'redrive-1' }), TIME_LEFT, relay);
    expect(commitsRun(relay)).toEqual(['c1', 'c1', 'c1', 'c1', 'c1']);
    expect(await relay.store.get(buildKey('push-1'))).toMatchObject({ status: 'created' });
  });

  it('is dropped, saying why, when its rule is gone or no longer matches', async () => {
    const relay = relayWith([{ status: 202 }, { status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);
    await processRecord(sqsRecord(push('push-2', 'c2', 1, 'dev')), TIME_LEFT, relay);
    relay.clock.advance(5 * MINUTE);
    const gone = fakeRelayDependencies({ ...relay, engine: RuleEngine.fromDefinitions([{ name: 'lint', pipeline: { id: PIPELINE_ID } }]) });
    await processRecord(deferredRecord(relay, 0), TIME_LEFT, gone);
    const narrower = fakeRelayDependencies({ ...relay, engine: RuleEngine.fromDefinitions([{ name: 'build', when: { branches: ['main'] }, pipeline: { id: PIPELINE_ID }, quietPeriod: { minutes: 5 } }]) });
    await processRecord(deferredRecord(relay, 1), TIME_LEFT, narrower);

    expect(commitsRun(relay)).toEqual([]);
    expect(relay.logger.lines.filter((line) => line.message.startsWith('Dropped')).map((line) => [line.message, line.attributes.reason])).toEqual([
      ['Dropped a deferred event: its rule is gone', 'the config has no rule "build" any more'],
      ['Dropped a deferred event: it no longer matches its rule', 'when.branches: branch "dev" does not match main'],
    ]);
  });

  it('whose deferral is not one, goes to the DLQ as malformed', async () => {
    const relay = relayWith([{ status: 202 }]);
    await processRecord(sqsRecord(push('push-1', 'c1')), TIME_LEFT, relay);
    const sent = relay.deferrals.sent[0]?.message as RelayMessage;
    const wrong = JSON.stringify({ ...sent, deferred: { ...sent.deferred, dueAt: 'tomorrow' } });
    await processRecord(sqsRecord(wrong), TIME_LEFT, relay);

    expect(relay.deadLetters.sent.map((dead) => [dead.why.outcome, dead.why.reason])).toEqual([
      ['malformed', 'the message\'s deferred is not a rule, an event delivery id, a key, a window id and a due time'],
    ]);
  });
});

describe('a delivery too large to carry its deferral', () => {
  /** The push, padded in its headers to just under SQS's limit: the deferral no longer fits. */
  const large = (): string => {
    const queued = JSON.parse(push('push-1', 'c1')) as RelayMessage;
    const padding = 1024 * 1024 - Buffer.byteLength(serializeRelayMessage(queued).json) - 200;
    return JSON.stringify({ ...queued, headers: { ...queued.headers, 'x-padding': 'p'.repeat(padding) } });
  };

  it('puts its body in the bucket and waits with the reference', async () => {
    const bodies = new InMemoryBodyStore();
    const relay = fakeRelayDependencies({ engine: rules(), bodies, codestream: new ScriptedCodeStream([{ status: 202 }, { status: 202 }]) });
    await processRecord(sqsRecord(large()), TIME_LEFT, relay);

    const [sent] = relay.deferrals.sent;
    expect(sent?.message.bodyRef).toMatchObject({ bucket: bodies.bucket });
    expect(sent?.message.bodyBase64).toBeUndefined();
    relay.clock.advance(5 * MINUTE);
    await processRecord(deferredRecord(relay, 0), TIME_LEFT, relay);
    expect(commitsRun(relay)).toEqual(['c1']);
  });

  it('puts its body in the bucket once, however many of its rules wait', async () => {
    const bodies = new InMemoryBodyStore();
    const engine = RuleEngine.fromDefinitions([
      { name: 'build', when: { events: ['push'] }, pipeline: { id: PIPELINE_ID }, quietPeriod: { minutes: 5 } },
      { name: 'deploy', when: { events: ['push'] }, pipeline: { id: PIPELINE_ID }, quietPeriod: { minutes: 5 } },
    ]);
    const relay = fakeRelayDependencies({ engine, bodies, codestream: new ScriptedCodeStream([]) });
    await processRecord(sqsRecord(large()), TIME_LEFT, relay);

    expect(relay.deferrals.sent.map((sent) => sent.message.deferred?.rule)).toEqual(['build', 'deploy']);
    expect(bodies.objects.size).toBe(1);
    expect(new Set(relay.deferrals.sent.map((sent) => sent.message.bodyRef?.key)).size).toBe(1);
  });

  it('without a bucket, is dead-lettered as rejected, saying why', async () => {
    const relay = relayWith([{ status: 202 }]);
    await processRecord(sqsRecord(large()), TIME_LEFT, relay);

    expect(relay.deferrals.sent).toEqual([]);
    expect(relay.deadLetters.sent.map((dead) => [dead.why.rule, dead.why.outcome, dead.why.reason])).toEqual([
      ['build', 'rejected', expect.stringMatching(/^with its deferral the delivery is \d+ bytes, more than a queued message holds \(1048576\), and this relay has no BODY_BUCKET/)],
    ]);
  });
});
