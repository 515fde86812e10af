import { RetryLaterError, processRecord } from '../../../lambda/relay/processRecord';
import type { RelayMessage } from '../../../lambda/events/RelayMessage';
import { BodyReadError } from '../../../lambda/bodies/BodyStore';
import { RuleEngine } from '../../../lambda/rules/RuleEngine';
import { InMemoryBodyStore } from '../../support/InMemoryBodyStore';
import { queuedMessage } from '../../support/queuedMessage';
import { ScriptedCodeStream, type ScriptedAnswer } from '../../support/ScriptedCodeStream';
import { LEASE_MS, PIPELINE_ID, STARTED_AT, fakeRelayDependencies } from '../../support/fakeRelayDependencies';
import { sqsRecord } from '../../support/sqsRecord';
import { fixture } from '../../support/webhookFixtures';

const DELIVERY = '5ecc39b7-d405-47c5-a937-cc1e658d5686';
const AT_START = STARTED_AT.toISOString();
const FIRST_EXECUTION = '0f6c1d2e-0000-4000-8000-000000000001';
const TIME_LEFT = () => 60_000;

let body: string;
let message: RelayMessage;

beforeAll(async () => {
  // A GitHub push to master, as ingress queues it.
  ({ body, message } = await queuedMessage('github', fixture('github/push.branch-created')));
});

const relayWith = (...script: ScriptedAnswer[]) => fakeRelayDependencies({ codestream: new ScriptedCodeStream(script) });

/** `build` for every push, by id; `release` for pushes too, by project and name. */
const twoRules = () =>
  RuleEngine.fromDefinitions([
    { name: 'build', when: { events: ['push'] }, pipeline: { id: PIPELINE_ID } },
    { name: 'release', when: { events: ['push'] }, pipeline: { project: 'demo', name: 'release' } },
  ]);

describe('no rule matches', () => {
  it('acknowledges the record without calling Code Stream, and logs why each rule missed', async () => {
    const relay = fakeRelayDependencies({ engine: RuleEngine.fromDefinitions([{ name: 'tags', when: { events: ['tag'] }, pipeline: { id: PIPELINE_ID } }]) });

    await expect(processRecord(sqsRecord(body), TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.codestream.calls).toEqual([]);
    expect(relay.logger.named('No rule matched')).toEqual([
      {
        level: 'info',
        message: 'No rule matched',
        attributes: { deliveryId: DELIVERY, source: 'github', eventKind: 'push', reasons: { tags: 'when.events: event kind "push" is not one of tag' } },
      },
    ]);
  });
});

describe('a rule matches', () => {
  it('starts its execution, stamped with the delivery and the rule, and acknowledges the record', async () => {
    const relay = relayWith({ status: 202 });

    await expect(processRecord(sqsRecord(body), TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.codestream.executions).toEqual([expect.objectContaining({ executionId: FIRST_EXECUTION, pipeline: { id: PIPELINE_ID }, tags: [`delivery:${DELIVERY}`, 'rule:build'] })]);
    expect(await relay.store.get({ source: 'github', deliveryId: DELIVERY, rule: 'build' })).toMatchObject({ status: 'created', executionId: FIRST_EXECUTION });
    expect(relay.deadLetters.sent).toEqual([]);
    expect(relay.retryLater.calls).toEqual([]);
  });

  it('counts the matches in "matched"', async () => {
    const relay = fakeRelayDependencies({ engine: twoRules(), codestream: new ScriptedCodeStream([{ status: 202 }, { status: 202 }]) });
    await processRecord(sqsRecord(body), TIME_LEFT, relay);

    expect(relay.metrics.points.filter((point) => point.name === 'matched')).toEqual([{ name: 'matched', unit: 'Count', value: 2 }]);
  });
});

describe('a message queued before the body was carried base64-encoded', () => {
  it('is read from its text body: the rules see the same body, and the execution starts', async () => {
    const { bodyBase64: _encoded, ...envelope } = message;
    const legacy = JSON.stringify({ ...envelope, body: fixture('github/push.branch-created').body.toString('utf8') });
    const engine = RuleEngine.fromDefinitions([{ name: 'build', when: { events: ['push'] }, pipeline: { id: PIPELINE_ID }, input: { HEAD: '${body.head_commit.id}' } }]);
    const runs = async (queued: string) => {
      const relay = fakeRelayDependencies({ engine, codestream: new ScriptedCodeStream([{ status: 202 }]) });
      await expect(processRecord(sqsRecord(queued), TIME_LEFT, relay)).resolves.toBeUndefined();
      expect(relay.deadLetters.sent).toEqual([]);
      return relay.codestream.calls.map((call) => call.request.input);
    };

    expect(legacy).not.toContain('bodyBase64');
    const inputs = await runs(legacy);
    expect(inputs).toEqual([expect.objectContaining({ HEAD: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' })]);
    expect(await runs(body)).toEqual(inputs);
  });
});

describe('a message whose body ingress kept in S3', () => {
  const HEAD_RULE = RuleEngine.fromDefinitions([{ name: 'build', when: { events: ['push'] }, pipeline: { id: PIPELINE_ID }, input: { HEAD: '${body.head_commit.id}' } }]);
  const stored = () => {
    const bodies = new InMemoryBodyStore();
    const { bodyBase64, ...envelope } = message;
    const reference = { bucket: bodies.bucket, key: 'bodies/2026-11-28/github/object-1', bytes: 0 };
    bodies.objects.set(reference.key, Buffer.from(bodyBase64 ?? '', 'base64'));
    return { bodies, queued: JSON.stringify({ ...envelope, bodyRef: reference }) };
  };

  it('is read from there: the rules see the body, and the execution starts', async () => {
    const { bodies, queued } = stored();
    const relay = fakeRelayDependencies({ engine: HEAD_RULE, bodies, codestream: new ScriptedCodeStream([{ status: 202 }]) });

    await expect(processRecord(sqsRecord(queued), TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.deadLetters.sent).toEqual([]);
    expect(relay.codestream.calls.map((call) => call.request.input)).toEqual([expect.objectContaining({ HEAD: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' })]);
  });

  it('goes to the DLQ as "malformed", naming the object, when the body is gone, and keeps its reference', async () => {
    const { queued } = stored();
    const relay = fakeRelayDependencies({ engine: HEAD_RULE, bodies: new InMemoryBodyStore(), codestream: new ScriptedCodeStream([]) });

    await processRecord(sqsRecord(queued, { messageAttributes: { deliveryId: DELIVERY } }), TIME_LEFT, relay);
    expect(relay.deadLetters.sent).toEqual([
      { body: queued, why: expect.objectContaining({ outcome: 'malformed', reason: 's3://test-bodies/bodies/2026-11-28/github/object-1 cannot be read (NoSuchKey)' }) },
    ]);
  });

  it('goes to the DLQ when this relay has no bucket to read it from', async () => {
    const { queued } = stored();
    const relay = fakeRelayDependencies({ engine: HEAD_RULE, codestream: new ScriptedCodeStream([]) });

    await processRecord(sqsRecord(queued), TIME_LEFT, relay);
    expect(relay.deadLetters.sent.map((sent) => sent.why.reason)).toEqual([
      'the body is in s3://test-bodies/bodies/2026-11-28/github/object-1, and this relay has no BODY_BUCKET to read it from',
    ]);
  });

  it('fails the record back to the queue when S3 fails for a while, dead-lettering nothing', async () => {
    const { queued } = stored();
    const failing = new InMemoryBodyStore('test-bodies', new BodyReadError('s3://test-bodies/… could not be read now (SlowDown)', false));
    const relay = fakeRelayDependencies({ engine: HEAD_RULE, bodies: failing, codestream: new ScriptedCodeStream([]) });

    await expect(processRecord(sqsRecord(queued), TIME_LEFT, relay)).rejects.toThrow('could not be read now (SlowDown)');
    expect(relay.deadLetters.sent).toEqual([]);
  });
});

describe('several rules, one failing for good', () => {
  it('dead-letters the record with that rule’s reason, while the other rule’s execution is created', async () => {
    const relay = fakeRelayDependencies({ engine: twoRules(), codestream: new ScriptedCodeStream([{ status: 202 }, { status: 403, body: '{"message":"Forbidden"}' }]) });
    const record = sqsRecord(body, { messageId: 'msg-1' });

    await expect(processRecord(record, TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.deadLetters.sent).toEqual([
      {
        body,
        why: {
          deliveryId: DELIVERY,
          outcome: 'forbidden',
          status: 403,
          reason: "Code Stream answered 403: the relay's user may not execute pipeline demo/release",
          snippet: '{"message":"Forbidden"}',
          rule: 'release',
          pipeline: 'name:demo/release',
          attempts: 1,
          firstAttemptAt: AT_START,
          lastAttemptAt: AT_START,
        },
      },
    ]);
    expect(await relay.store.get({ source: 'github', deliveryId: DELIVERY, rule: 'build' })).toMatchObject({ status: 'created', executionId: FIRST_EXECUTION });
  });

  it('marks the failed rule dead-lettered for this message, so that only a redrive runs it again', async () => {
    const relay = fakeRelayDependencies({ engine: twoRules(), codestream: new ScriptedCodeStream([{ status: 202 }, { status: 403 }]) });
    await processRecord(sqsRecord(body, { messageId: 'msg-1' }), TIME_LEFT, relay);

    expect(await relay.store.get({ source: 'github', deliveryId: DELIVERY, rule: 'release' })).toEqual({
      status: 'dead_lettered',
      messageId: 'msg-1',
      outcome: 'forbidden',
      attempts: 1,
      firstAttemptAt: AT_START,
      lastAttemptAt: AT_START,
    });
  });

  it('logs "Dead-lettered" and counts it under its outcome', async () => {
    const relay = relayWith({ status: 404 });
    await processRecord(sqsRecord(body), TIME_LEFT, relay);

    expect(relay.logger.named('Dead-lettered')).toEqual([{ level: 'error', message: 'Dead-lettered', attributes: expect.objectContaining({ deliveryId: DELIVERY, outcome: 'notFound', rule: 'build' }) }]);
    expect(relay.metrics.points.filter((point) => point.name.startsWith('deadLettered'))).toEqual([{ name: 'deadLettered.notFound', unit: 'Count', value: 1 }]);
  });
});

describe('a retryable failure', () => {
  it('sets the record’s visibility timeout to the backoff of its receive, and fails it with RetryLaterError', async () => {
    const relay = relayWith({ status: 503 }, { status: 503 }, { status: 503 });
    const record = sqsRecord(body, { receiveCount: 2 });

    const processed = processRecord(record, TIME_LEFT, relay);
    await expect(processed).rejects.toBeInstanceOf(RetryLaterError);
    await expect(processed).rejects.toThrow(`1 rule(s) to retry in 45 s: build: Code Stream answered 503 for pipeline ${PIPELINE_ID}`);
    // The second receive's step is 60 s; with equal jitter at 0.5, 30 + 15.
    expect(relay.retryLater.calls).toEqual([{ receiptHandle: record.receiptHandle, seconds: 45 }]);
    expect(relay.deadLetters.sent).toEqual([]);
  });

  it('waits at least as long as Code Stream’s Retry-After asked', async () => {
    const relay = relayWith({ status: 503, headers: { 'retry-after': '120' } });
    const record = sqsRecord(body);

    // Longer than the invocation could wait: the one call is retried from the queue.
    await expect(processRecord(record, TIME_LEFT, relay)).rejects.toBeInstanceOf(RetryLaterError);
    expect(relay.retryLater.calls).toEqual([{ receiptHandle: record.receiptHandle, seconds: 120 }]);
  });

  it('at the last receive, dead-letters the record with the last failure, and retries no more', async () => {
    const relay = relayWith({ status: 502 }, { status: 502 }, { status: 502 });
    const record = sqsRecord(body, { receiveCount: relay.policy.maxReceiveCount });

    await expect(processRecord(record, TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.retryLater.calls).toEqual([]);
    expect(relay.deadLetters.sent).toEqual([
      {
        body,
        why: expect.objectContaining({
          deliveryId: DELIVERY,
          outcome: 'retryable',
          status: 502,
          reason: `retries exhausted after 8 receives: Code Stream answered 502 for pipeline ${PIPELINE_ID}`,
          rule: 'build',
          attempts: 3,
        }),
      },
    ]);
  });
});

describe('a malformed record', () => {
  it('goes to the DLQ as "malformed", under the delivery id its attributes name, without calling Code Stream', async () => {
    const relay = relayWith();

    await expect(processRecord(sqsRecord('not a relay message', { messageAttributes: { deliveryId: 'd-42' } }), TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.deadLetters.sent).toEqual([
      { body: 'not a relay message', why: { deliveryId: 'd-42', outcome: 'malformed', reason: 'the message body is not JSON', snippet: '', attempts: 0 } },
    ]);
  });

  it('goes to the DLQ under its message id when no attribute names the delivery', async () => {
    const relay = relayWith();
    await processRecord(sqsRecord(JSON.stringify({ version: 2 }), { messageId: 'msg-9' }), TIME_LEFT, relay);

    expect(relay.deadLetters.sent.map((sent) => sent.why)).toEqual([
      { deliveryId: 'msg-9', outcome: 'malformed', reason: 'the message is not a relay message of version 1', snippet: '', attempts: 0 },
    ]);
  });

  it('goes to the DLQ when the source it came from is no longer configured, saying how to get it read', async () => {
    const relay = fakeRelayDependencies({ codestream: new ScriptedCodeStream([]), sources: {} });
    await processRecord(sqsRecord(body, { messageAttributes: { deliveryId: DELIVERY } }), TIME_LEFT, relay);

    expect(relay.deadLetters.sent).toEqual([
      {
        body,
        why: {
          deliveryId: DELIVERY,
          outcome: 'malformed',
          reason: 'no github source named "github" is configured to read this delivery with: restore it, then redrive the record',
          snippet: '',
          attempts: 0,
        },
      },
    ]);
  });
});

describe('a duplicate delivery', () => {
  it('is acknowledged without a second execution, and logged as handled already', async () => {
    const relay = relayWith({ status: 202 });
    await processRecord(sqsRecord(body, { messageId: 'msg-1' }), TIME_LEFT, relay);

    await expect(processRecord(sqsRecord(body, { messageId: 'msg-2' }), TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.codestream.executions).toHaveLength(1);
    expect(relay.logger.named('Already handled')).toEqual([
      {
        level: 'info',
        message: 'Already handled',
        attributes: expect.objectContaining({ deliveryId: DELIVERY, rule: 'build', reason: 'its execution was already created (a duplicate or redelivered message)' }),
      },
    ]);
  });
});

describe('the same body under another delivery id: a replay, or a sender’s resend', () => {
  /** The queued push as if its body had come again under the delivery id `id`. */
  const again = (id: string) => JSON.stringify({ ...message, deliveryId: id, headers: { ...message.headers, 'x-github-delivery': id } });

  it('is the first delivery: the rules whose executions it created do not run again, and it is logged and counted as a repeat', async () => {
    const relay = fakeRelayDependencies({ engine: twoRules(), codestream: new ScriptedCodeStream([{ status: 202 }, { status: 202 }]) });
    await processRecord(sqsRecord(body, { messageId: 'msg-1' }), TIME_LEFT, relay);

    await expect(processRecord(sqsRecord(again('replayed-1'), { messageId: 'msg-2' }), TIME_LEFT, relay)).resolves.toBeUndefined();
    expect(relay.codestream.executions).toHaveLength(2);
    expect(relay.logger.named('A repeat of an earlier delivery: the source sent this body before under another delivery id')).toEqual([
      expect.objectContaining({ level: 'warn', attributes: { deliveryId: 'replayed-1', firstDeliveryId: DELIVERY, source: 'github' } }),
    ]);
    expect(relay.metrics.points.filter((point) => point.name === 'repeatedDeliveries')).toEqual([{ name: 'repeatedDeliveries', unit: 'Count', value: 1 }]);
    expect(relay.logger.named('Already handled').map((line) => line.attributes.deliveryId)).toEqual([DELIVERY, DELIVERY]);
  });

  it('runs a rule the first delivery dead-lettered: a resend recovers it, once', async () => {
    const relay = fakeRelayDependencies({ engine: twoRules(), codestream: new ScriptedCodeStream([{ status: 202 }, { status: 403 }, { status: 202 }]) });
    await processRecord(sqsRecord(body, { messageId: 'msg-1' }), TIME_LEFT, relay);
    expect(relay.deadLetters.sent.map((sent) => sent.why.rule)).toEqual(['release']);

    await processRecord(sqsRecord(again('resent-1'), { messageId: 'msg-2' }), TIME_LEFT, relay);
    expect(relay.codestream.calls.map((call) => call.request.tags)).toEqual([
      [`delivery:${DELIVERY}`, 'rule:build'],
      [`delivery:${DELIVERY}`, 'rule:release'],
      [`delivery:${DELIVERY}`, 'rule:release'],
    ]);
    await processRecord(sqsRecord(again('resent-2'), { messageId: 'msg-3' }), TIME_LEFT, relay);
    expect(relay.codestream.calls).toHaveLength(3);
  });

  it('is a delivery of its own once the source’s window has passed, or when the source turns the window off', async () => {
    const relay = fakeRelayDependencies({ engine: twoRules(), codestream: new ScriptedCodeStream([{ status: 202 }, { status: 202 }, { status: 202 }, { status: 202 }]) });
    await processRecord(sqsRecord(body, { messageId: 'msg-1' }), TIME_LEFT, relay);
    relay.clock.advance(24 * 3_600_000);
    await processRecord(sqsRecord(again('next-day'), { messageId: 'msg-2' }), TIME_LEFT, relay);
    expect(relay.codestream.executions).toHaveLength(4);

    const off = fakeRelayDependencies({ engine: twoRules(), sources: { github: { provider: 'github', secrets: [], replayWindowHours: 0 } }, codestream: new ScriptedCodeStream([{ status: 202 }, { status: 202 }, { status: 202 }, { status: 202 }]) });
    await processRecord(sqsRecord(body, { messageId: 'msg-1' }), TIME_LEFT, off);
    await processRecord(sqsRecord(again('replayed-1'), { messageId: 'msg-2' }), TIME_LEFT, off);
    expect(off.codestream.executions).toHaveLength(4);
  });
});

describe('busy: an earlier receive of this message died holding the claim', () => {
  it('sends the record back until the claim lapses, without calling Code Stream', async () => {
    const relay = relayWith();
    await relay.store.claim({ source: 'github', deliveryId: DELIVERY, rule: 'build' }, 'msg-1');
    relay.clock.advance(60_000);
    const record = sqsRecord(body, { messageId: 'msg-1', receiveCount: 2 });

    await expect(processRecord(record, TIME_LEFT, relay)).rejects.toBeInstanceOf(RetryLaterError);
    expect(relay.retryLater.calls).toEqual([{ receiptHandle: record.receiptHandle, seconds: (LEASE_MS - 60_000) / 1000 }]);
    expect(relay.codestream.calls).toEqual([]);
  });
});
