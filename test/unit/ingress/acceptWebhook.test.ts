import type { APIGatewayProxyResult } from 'aws-lambda';
import { DEFAULT_MAX_BODY_BYTES, LAMBDA_PAYLOAD_BYTES, SQS_MAX_MESSAGE_BYTES, acceptWebhook } from '../../../lambda/ingress/acceptWebhook';
import { type RelayMessage, messageAttributes, messageBody, messageText, sqsMessageBytes } from '../../../lambda/events/RelayMessage';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { apiGatewayEvent } from '../../support/apiGatewayEvent';
import { RECEIVED_AT } from '../../support/deliveries';
import { InMemoryBodyStore } from '../../support/InMemoryBodyStore';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { type IngressFakes, RecordingQueue, fakeIngressDependencies } from '../../support/fakeIngressDependencies';
import { queuedEvents } from '../../support/queuedMessage';
import type { MetricPoint } from '../../support/recordingObservability';
import { until } from '../../support/until';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../support/webhookFixtures';

const PUSH_DELIVERY = '5ecc39b7-d405-47c5-a937-cc1e658d5686';
const SHA256 = { header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' };

/** A GitHub push to a branch, as GitHub sends it to the `github` source. */
const push = () => fixture('github/push.branch-created');

/** The push with a field no rule reads, `{"padding":"<text>xx…x",` with `filler` x, first in its body; signed. */
function paddedPush(filler: number, text = ''): WebhookRequest {
  const body = Buffer.from(`{"padding":"${text}${'x'.repeat(filler)}",${push().body.toString('utf8').slice(1)}`);
  return signed(push(), body, TEST_SECRET, SHA256);
}

/** The bytes of the padded push without filler. */
const PADDED_PUSH_BYTES = paddedPush(0).body.length;

async function post(request: WebhookRequest, dependencies = fakeIngressDependencies(), source = 'github') {
  const answer = await acceptWebhook(apiGatewayEvent({ source, ...request }), dependencies);
  return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown>, contentType: answer.headers?.['Content-Type'] };
}

/**
 * The filler that puts the message of `build(filler)` over SQS's 1 MiB only once its attributes
 * are counted as SQS counts them; the size it then has, and that of its attributes.
 */
async function fillerOverQueueLimit(build: (filler: number) => WebhookRequest): Promise<{ filler: number; size: number; attributes: number }> {
  const measured = fakeIngressDependencies({ maxBodyBytes: Number.POSITIVE_INFINITY });
  await post(build(0), measured);
  const [small] = measured.queue.sent;
  const json = small?.body.length ?? 0;
  const attributes = sqsMessageBytes(0, messageAttributes(small?.message as RelayMessage));
  // Each 3 bytes of padding add 4 characters: the most padding whose JSON alone still fits.
  const filler = Math.floor((SQS_MAX_MESSAGE_BYTES - json) / 4) * 3;
  return { filler, size: json + (filler / 3) * 4 + attributes, attributes };
}

describe('202: queued', () => {
  it('answers 202 with the delivery id, as JSON', async () => {
    expect(await post(push())).toEqual({ status: 202, body: { deliveryId: PUSH_DELIVERY }, contentType: 'application/json' });
  });

  it('answers only once the queue has taken the delivery', async () => {
    let accept: () => void = () => undefined;
    const sent: RelayMessage[] = [];
    const slowQueue = {
      send: (message: RelayMessage) => {
        sent.push(message);
        return new Promise<void>((resolve) => (accept = resolve));
      },
    };
    let answer: APIGatewayProxyResult | undefined;
    const answered = acceptWebhook(apiGatewayEvent({ source: 'github', ...push() }), fakeIngressDependencies({ queue: slowQueue })).then((result) => (answer = result));

    await until(() => sent.length === 1);
    expect(answer).toBeUndefined();
    accept();
    await answered;
    expect(answer?.statusCode).toBe(202);
  });

  it('queues one message: the source, the provider, the delivery id, when it was received, and the kinds of its events', async () => {
    const ingress = fakeIngressDependencies();
    await post(push(), ingress);

    const [queued, ...more] = ingress.queue.sent;
    expect(more).toEqual([]);
    expect(queued?.message).toMatchObject({ version: 1, source: 'github', provider: 'github', deliveryId: PUSH_DELIVERY, receivedAt: RECEIVED_AT.toISOString(), eventKind: 'push' });
    // The relay reads the events from the body; the message carries none that could disagree with it.
    expect(queued?.message.events).toBeUndefined();
    expect(queuedEvents(queued?.message as RelayMessage, ingress.sources)).toEqual([
      expect.objectContaining({ source: 'github', provider: 'github', kind: 'push', deliveryId: PUSH_DELIVERY, receivedAt: RECEIVED_AT.toISOString() }),
    ]);
    expect(JSON.parse(queued?.body ?? '')).toEqual(queued?.message);
  });

  it('queues the body as received and the header names in lower case', async () => {
    const ingress = fakeIngressDependencies();
    const request = push();
    const asSent = { ...request, headers: { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': PUSH_DELIVERY, 'X-Hub-Signature-256': request.headers['x-hub-signature-256'] ?? '' } };
    await post(asSent, ingress);

    const [queued] = ingress.queue.sent;
    expect(messageBody(queued?.message as RelayMessage)).toEqual(request.body);
    expect(messageText(queued?.message as RelayMessage)).toBe(request.body.toString('utf8'));
    expect(ingress.queue.sent[0]?.message.headers).toEqual({
      'x-github-event': 'push',
      'x-github-delivery': PUSH_DELIVERY,
      // A signature is a credential: with it, a copy of the delivery could be replayed.
      'x-hub-signature-256': '[redacted]',
    });
  });

  it('carries the body base64-encoded, as API Gateway handed it over, and not as text', async () => {
    const ingress = fakeIngressDependencies();
    const event = apiGatewayEvent({ source: 'github', ...push() });
    await acceptWebhook(event, ingress);

    const sent = JSON.parse(ingress.queue.sent[0]?.body ?? '') as Record<string, unknown>;
    expect(sent.bodyBase64).toBe(event.body);
    expect(sent).not.toHaveProperty('body');
  });

  it('encodes the bytes read where API Gateway’s text is not their plain base64: with characters its decoding skips, or as text', async () => {
    const ingress = fakeIngressDependencies();
    const lineBroken = apiGatewayEvent({ source: 'github', ...push() });
    // Node's base64 decoding skips line breaks: the signature still holds over the same bytes.
    lineBroken.body = (lineBroken.body ?? '').replace(/(.{76})/g, '$1\r\n');
    const asText = apiGatewayEvent({ source: 'github', ...push(), base64: false });
    for (const event of [lineBroken, asText]) expect((await acceptWebhook(event, ingress)).statusCode).toBe(202);

    const canonical = push().body.toString('base64');
    expect(ingress.queue.sent.map((queued) => (JSON.parse(queued.body) as Record<string, unknown>).bodyBase64)).toEqual([canonical, canonical]);
  });

  it('queues the headers with the source’s credential redacted, and the secret nowhere', async () => {
    const ingress = fakeIngressDependencies();
    const gitlabPush = fixture('gitlab/push');
    expect(gitlabPush.headers['x-gitlab-token']).toBe(TEST_SECRET);

    expect((await post(gitlabPush, ingress, 'gitlab')).status).toBe(202);
    const [queued] = ingress.queue.sent;
    expect(queued?.message.headers['x-gitlab-token']).toBe('[redacted]');
    expect(queued?.body).not.toContain(TEST_SECRET);
    expect(messageText(queued?.message as RelayMessage)).not.toContain(TEST_SECRET);
  });

  it('encodes the redacted body where redaction changed it, and carries neither the secret nor the body as sent', async () => {
    const ingress = fakeIngressDependencies({ sources: { gitea: { provider: 'gitea', secrets: ['webhooks/gitea'] } }, secrets: new InMemorySecretStore({ 'webhooks/gitea': TEST_SECRET }) });
    // Old Gitea puts a `secret` field in the body.
    const giteaPush = fixture('gitea/push.docs');
    const secret = fixtureJson('gitea/push.docs').secret as string;
    const event = apiGatewayEvent({ source: 'gitea', ...giteaPush });

    expect((await acceptWebhook(event, ingress)).statusCode).toBe(202);
    const [queued] = ingress.queue.sent;
    const text = messageText(queued?.message as RelayMessage);
    expect(text).toBe(giteaPush.body.toString('utf8').replace(`"secret": "${secret}"`, '"secret": "[redacted]"'));
    expect(JSON.parse(queued?.body ?? '')).toMatchObject({ bodyBase64: Buffer.from(text).toString('base64') });
    expect(queued?.body).not.toContain(event.body);
    expect(text).not.toContain(secret);
  });

  it('counts the delivery in the metric "received"', async () => {
    const ingress = fakeIngressDependencies();
    await post(push(), ingress);

    expect(ingress.metrics.points).toEqual([{ name: 'received', unit: 'Count', value: 1 }]);
  });

  it('logs "Delivery queued" with the source, the provider, the delivery id and the event kinds', async () => {
    const ingress = fakeIngressDependencies();
    await post(push(), ingress);

    expect(ingress.logger.lines).toEqual([
      { level: 'info', message: 'Delivery queued', attributes: { source: 'github', provider: 'github', deliveryId: PUSH_DELIVERY, events: 'push' } },
    ]);
  });
});

describe('200: a ping', () => {
  it('answers 200 with the delivery id, and queues nothing', async () => {
    const ingress = fakeIngressDependencies();
    expect(await post(fixture('github/ping'), ingress)).toMatchObject({ status: 200, body: { deliveryId: '5320b1b9-66fb-4639-ac08-6e11c0df7adc', ping: true } });
    expect(ingress.queue.sent).toEqual([]);
  });
});

describe('401: not authenticated', () => {
  it('answers 401 invalid_signature to a signature made with another secret, and queues nothing', async () => {
    const ingress = fakeIngressDependencies();
    const forged = signed(push(), push().body, 'not the secret', SHA256);

    expect(await post(forged, ingress)).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    expect(ingress.queue.sent).toEqual([]);
  });

  it('answers 401 missing_signature to a delivery without one', async () => {
    const unsigned = withHeaders(push(), { 'x-hub-signature-256': undefined, 'x-hub-signature': undefined });

    expect(await post(unsigned)).toMatchObject({ status: 401, body: { error: 'missing_signature' } });
  });
});

describe('404: unknown source', () => {
  it('answers 404 unknown_source naming the source, without reading a secret', async () => {
    const ingress = fakeIngressDependencies();

    expect(await post(push(), ingress, 'svn')).toMatchObject({ status: 404, body: { error: 'unknown_source', message: 'no webhook source is named "svn"' } });
    expect(ingress.secrets.reads).toEqual([]);
  });

  it('takes no inherited property of an object for a source', async () => {
    expect(await post(push(), fakeIngressDependencies(), 'constructor')).toMatchObject({ status: 404, body: { error: 'unknown_source' } });
  });
});

describe('405: not a POST', () => {
  it('answers 405 method_not_allowed to a GET', async () => {
    const answer = await acceptWebhook(apiGatewayEvent({ source: 'github', method: 'GET' }), fakeIngressDependencies());

    expect({ status: answer.statusCode, body: JSON.parse(answer.body) }).toEqual({
      status: 405,
      body: { error: 'method_not_allowed', message: 'GET is not allowed: send POST' },
    });
  });
});

describe('413: body too large', () => {
  it('answers 413 body_too_large naming the size and the limit, and queues nothing', async () => {
    const ingress = fakeIngressDependencies({ maxBodyBytes: 1_000 });

    expect(await post(push(), ingress)).toMatchObject({
      status: 413,
      body: { error: 'body_too_large', message: `the body is ${push().body.length} bytes; the limit is 1000` },
    });
    expect(ingress.queue.sent).toEqual([]);
  });

  it('measures the body after API Gateway’s base64 decoding', async () => {
    const ingress = fakeIngressDependencies({ maxBodyBytes: push().body.length });

    expect((await post(push(), ingress)).status).toBe(202);
  });

  describe('at the default limit', () => {
    /** A padded push of exactly `bytes`. */
    const pushOf = (bytes: number) => paddedPush(bytes - PADDED_PUSH_BYTES);

    it('is 4,669,440 bytes, whose API Gateway event, the body base64-encoded, leaves 64 KiB of Lambda’s 6 MiB payload', () => {
      expect(DEFAULT_MAX_BODY_BYTES).toBe(4_669_440);
      expect(LAMBDA_PAYLOAD_BYTES - (DEFAULT_MAX_BODY_BYTES / 3) * 4).toBe(64 * 1024);
    });

    it('accepts a body of exactly the limit, kept in the body store, its message within SQS’s 1 MiB', async () => {
      const ingress = fakeIngressDependencies({ bodies: new InMemoryBodyStore() });

      expect(await post(pushOf(DEFAULT_MAX_BODY_BYTES), ingress)).toMatchObject({ status: 202, body: { deliveryId: PUSH_DELIVERY } });
      const [queued] = ingress.queue.sent;
      expect(queued?.message.bodyRef?.bytes).toBe(DEFAULT_MAX_BODY_BYTES);
      expect(sqsMessageBytes(Buffer.byteLength(queued?.body ?? ''), messageAttributes(queued?.message as RelayMessage))).toBeLessThan(4 * 1024);
    });

    it('answers 413 to a body one byte over, and stores and queues nothing', async () => {
      const ingress = fakeIngressDependencies({ bodies: new InMemoryBodyStore() });

      expect(await post(pushOf(DEFAULT_MAX_BODY_BYTES + 1), ingress)).toMatchObject({
        status: 413,
        body: { error: 'body_too_large', message: 'the body is 4669441 bytes; the limit is 4669440' },
      });
      expect(ingress.queue.sent).toEqual([]);
      expect(ingress.bodies.objects.size).toBe(0);
    });
  });

  it('without a body store, answers 413 to a body within the limit whose message, attributes counted as SQS counts them, exceeds 1 MiB', async () => {
    const { filler, size, attributes } = await fillerOverQueueLimit(paddedPush);
    expect(size - attributes).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    expect(size).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES);

    const ingress = fakeIngressDependencies({ maxBodyBytes: Number.POSITIVE_INFINITY });
    expect(await post(paddedPush(filler), ingress)).toMatchObject({
      status: 413,
      body: { error: 'body_too_large', message: `with its envelope the delivery is ${size} bytes; a queued message holds at most 1048576` },
    });
    expect(ingress.queue.sent).toEqual([]);
  });
});

describe('a body too large for a queued message: kept in the body store, the message naming it', () => {
  it('stores the body as received, and queues its reference with the rest of the delivery', async () => {
    const ingress = fakeIngressDependencies({ bodies: new InMemoryBodyStore() });
    const request = paddedPush(1_000_000);

    expect(await post(request, ingress)).toEqual({ status: 202, body: { deliveryId: PUSH_DELIVERY }, contentType: 'application/json' });
    const [queued, ...more] = ingress.queue.sent;
    expect(more).toEqual([]);
    const reference = queued?.message.bodyRef;
    expect(reference).toEqual({ bucket: 'test-bodies', key: expect.stringMatching(/^bodies\/2026-11-28\/github\/object-1$/), bytes: request.body.length });
    expect(ingress.bodies.objects.get(reference?.key ?? '')).toEqual(request.body);
    expect(queued?.message).toMatchObject({ source: 'github', deliveryId: PUSH_DELIVERY, eventKind: 'push', headers: expect.objectContaining({ 'x-github-event': 'push' }) });
    expect(queued?.message.bodyBase64).toBeUndefined();
    expect(JSON.parse(queued?.body ?? '')).toEqual(queued?.message);
    expect(ingress.logger.lines).toContainEqual(
      expect.objectContaining({ message: 'Delivery queued', attributes: expect.objectContaining({ bodyStored: `s3://test-bodies/${reference?.key}` }) }),
    );
  });

  it('stores it too when the body would fit but its envelope takes the message over 1 MiB', async () => {
    const { filler } = await fillerOverQueueLimit(paddedPush);
    const ingress = fakeIngressDependencies({ maxBodyBytes: Number.POSITIVE_INFINITY, bodies: new InMemoryBodyStore() });

    expect((await post(paddedPush(filler), ingress)).status).toBe(202);
    expect(ingress.queue.sent[0]?.message.bodyRef?.bytes).toBe(paddedPush(filler).body.length);
  });

  it('stores the body without the source’s secret, as a queued body would be', async () => {
    const ingress = fakeIngressDependencies({ bodies: new InMemoryBodyStore() });

    expect((await post(paddedPush(1_000_000, `leaked ${TEST_SECRET} `), ingress)).status).toBe(202);
    const [stored] = [...ingress.bodies.objects.values()];
    expect(stored?.toString('utf8')).toContain('leaked [redacted] ');
    expect(stored?.toString('utf8')).not.toContain(TEST_SECRET);
  });

  it('answers 503 body_store_unavailable when the store fails, and queues nothing, so the sender retries', async () => {
    const ingress = fakeIngressDependencies({ bodies: new InMemoryBodyStore('test-bodies', new Error('S3 is down')) });

    expect(await post(paddedPush(1_000_000), ingress)).toMatchObject({
      status: 503,
      body: { error: 'body_store_unavailable', message: 'the delivery is too large for the queue and could not be stored; retry it' },
    });
    expect(ingress.queue.sent).toEqual([]);
  });

  it('keeps a body that fits in the message itself, storing nothing', async () => {
    const ingress = fakeIngressDependencies({ bodies: new InMemoryBodyStore() });

    expect((await post(paddedPush(500_000), ingress)).status).toBe(202);
    expect(ingress.queue.sent[0]?.message.bodyBase64).toBeDefined();
    expect(ingress.bodies.objects.size).toBe(0);
  });

  it('without a store, answers 413 to a body that base64-encoded cannot fit a message', async () => {
    const ingress = fakeIngressDependencies();
    const request = paddedPush(1_000_000);

    expect(await post(request, ingress)).toMatchObject({
      status: 413,
      body: {
        error: 'body_too_large',
        message: `the body is ${request.body.length} bytes; base64-encoded it cannot fit a queued message (1048576 bytes), and no bucket is set for larger bodies`,
      },
    });
  });
});

describe('the source', () => {
  it('is read from the resource of its own that the stack gives each source, where API Gateway sends no path parameter', async () => {
    const ingress = fakeIngressDependencies();
    const event = { ...apiGatewayEvent({ source: 'github', ...push() }), pathParameters: null, resource: '/hooks/github' };

    expect((await acceptWebhook(event, ingress)).statusCode).toBe(202);
    expect(ingress.queue.sent[0]?.message.source).toBe('github');
  });

  it('is no source for any other resource', async () => {
    const ingress = fakeIngressDependencies();
    for (const resource of ['/hooks/{source}', '/hooks/github/extra', '/other/github']) {
      const event = { ...apiGatewayEvent({ source: 'github', ...push() }), pathParameters: null, resource };
      expect(await acceptWebhook(event, ingress)).toMatchObject({ statusCode: 404 });
    }
  });
});

describe('400: unparsable', () => {
  it('answers 400 malformed_body to a signed body that is not JSON', async () => {
    const ingress = fakeIngressDependencies();
    const truncated = signed(push(), Buffer.from('{"ref": '), TEST_SECRET, SHA256);

    expect(await post(truncated, ingress)).toMatchObject({ status: 400, body: { error: 'malformed_body' } });
    expect(ingress.queue.sent).toEqual([]);
  });
});

describe('503: a dependency failed, so the sender retries', () => {
  it('answers 503 secrets_unavailable when the source’s secret cannot be read', async () => {
    const ingress = fakeIngressDependencies({ secrets: new InMemorySecretStore({}) });

    expect(await post(push(), ingress)).toEqual({
      status: 503,
      body: { error: 'secrets_unavailable', message: 'the relay cannot read this source’s secrets now; retry later' },
      contentType: 'application/json',
    });
  });

  it('answers 503 queue_unavailable when the queue refuses the delivery', async () => {
    const ingress = fakeIngressDependencies({ queue: new RecordingQueue(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' })) });

    expect(await post(push(), ingress)).toEqual({
      status: 503,
      body: { error: 'queue_unavailable', message: 'the delivery could not be queued; retry it' },
      contentType: 'application/json',
    });
  });
});

describe('500: anything unexpected', () => {
  it('answers 500 internal_error, saying nothing of the failure', async () => {
    const ingress = fakeIngressDependencies({ now: () => failingClock() });

    expect(await post(push(), ingress)).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'the relay failed to handle this delivery; retry it' },
      contentType: 'application/json',
    });
  });
});

/** A clock that fails, as nothing ingress calls is expected to. */
function failingClock(): Date {
  throw new TypeError('the clock is broken');
}

describe('every refusal is on record: one line "Delivery refused" and one count of "refused"', () => {
  /** What no line or metric may hold: the body, a header value, the query. Each request below carries all three. */
  const CANARY = { body: 'body-canary-5d1f', header: 'header-canary-9b2e', query: 'query-canary-41c7' };

  /** A signed push, padded with `filler`, with a canary in its body, in a header and in its query. */
  const canaryPush = (filler = 0): WebhookRequest => ({ ...withHeaders(paddedPush(filler, CANARY.body), { 'x-canary': CANARY.header }), query: { canary: CANARY.query } });

  const GITHUB = { source: 'github', provider: 'github' };
  const RECEIVED: MetricPoint = { name: 'received', unit: 'Count', value: 1 };

  /** `refused` counted once, by source and error code. */
  const refused = (error: string, source = 'github'): MetricPoint => ({ name: 'refused', unit: 'Count', value: 1, dimensions: { source, error } });

  interface Refusal {
    status: number;
    error: string;
    level: 'warn' | 'error';
    /** The line's attributes beside status, error and bodyBytes. */
    line: Record<string, unknown>;
    /** @default only `refused`, under the source github */
    counted?: MetricPoint[];
  }

  /** What `request` refused so should leave on record: the answer's status and code, one line, the counts. */
  const onRecord = (request: WebhookRequest, { status, error, level, line, counted }: Refusal) => ({
    status,
    error,
    lines: [{ level, message: 'Delivery refused', attributes: { ...line, status, error, bodyBytes: request.body.length } }],
    points: counted ?? [refused(error)],
  });

  /**
   * Sends `request` and returns what was answered, logged and counted, having checked that none
   * of it holds the secret, a signature sent, or any of the request's canaries.
   */
  async function refuse(request: WebhookRequest, options: { ingress?: IngressFakes; source?: string; method?: string } = {}) {
    const ingress = options.ingress ?? fakeIngressDependencies();
    expect(request.body.toString('utf8')).toContain(CANARY.body);
    expect([request.headers['x-canary'], request.query.canary]).toEqual([CANARY.header, CANARY.query]);
    const answer = await acceptWebhook(apiGatewayEvent({ source: options.source ?? 'github', method: options.method, ...request }), ingress);

    const recorded = JSON.stringify([ingress.logger.lines, ingress.metrics.points]);
    const signatures = [request.headers['x-hub-signature-256'], request.headers['x-hub-signature']].filter((value) => value !== undefined);
    for (const held of [TEST_SECRET, ...signatures, ...Object.values(CANARY)]) expect(recorded).not.toContain(held);
    return { status: answer.statusCode, error: (JSON.parse(answer.body) as { error: string }).error, lines: ingress.logger.lines, points: ingress.metrics.points };
  }

  const queueDown = () => new RecordingQueue(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' }));

  it.each<{ name: string; request: () => WebhookRequest; options?: () => Parameters<typeof refuse>[1] } & Refusal>([
    {
      name: '400 malformed_body, with why',
      request: () => signed(canaryPush(), Buffer.from(`{"ref": "${CANARY.body}`), TEST_SECRET, SHA256),
      status: 400, error: 'malformed_body', level: 'warn', line: { ...GITHUB, reason: expect.stringMatching(/^the body is not valid JSON/) },
    },
    {
      name: '400 unknown_event, with why',
      request: () => withHeaders(canaryPush(), { 'x-github-event': undefined }),
      status: 400, error: 'unknown_event', level: 'warn', line: { ...GITHUB, reason: 'the X-GitHub-Event header is missing' },
    },
    {
      name: '401 missing_signature, naming the header',
      request: () => withHeaders(canaryPush(), { 'x-hub-signature-256': undefined, 'x-hub-signature': undefined }),
      status: 401, error: 'missing_signature', level: 'warn', line: { ...GITHUB, reason: 'the X-Hub-Signature-256 header is missing: set a secret on the GitHub webhook' },
    },
    {
      name: '401 invalid_signature, without the signature sent',
      request: () => signed(canaryPush(), canaryPush().body, 'not the secret', SHA256),
      status: 401, error: 'invalid_signature', level: 'warn', line: { ...GITHUB, reason: expect.stringContaining('does not match') },
    },
    {
      name: '404 unknown_source: the name requested, with no provider, counted under the source "(unknown)"',
      request: () => canaryPush(),
      options: () => ({ source: 'svn' }),
      status: 404, error: 'unknown_source', level: 'warn', line: { source: 'svn' }, counted: [refused('unknown_source', '(unknown)')],
    },
    {
      name: '405 method_not_allowed',
      request: () => canaryPush(),
      options: () => ({ method: 'PUT' }),
      status: 405, error: 'method_not_allowed', level: 'warn', line: GITHUB,
    },
    {
      name: '413 body_too_large over the body limit, with the size and the limit',
      request: () => canaryPush(),
      options: () => ({ ingress: fakeIngressDependencies({ maxBodyBytes: 1_000 }) }),
      status: 413, error: 'body_too_large', level: 'warn', line: { ...GITHUB, reason: `the body is ${canaryPush().body.length} bytes; the limit is 1000` },
    },
    {
      name: '503 secrets_unavailable: an error, with why the secret could not be read',
      request: () => canaryPush(),
      options: () => ({ ingress: fakeIngressDependencies({ secrets: new InMemorySecretStore({}) }) }),
      status: 503, error: 'secrets_unavailable', level: 'error', line: { ...GITHUB, reason: 'SecretReadError: could not read the secret "webhooks/github": it does not exist' },
    },
    {
      name: '503 queue_unavailable: an error, with the delivery id and why the queue refused it, after counting it received',
      request: () => canaryPush(),
      options: () => ({ ingress: fakeIngressDependencies({ queue: queueDown() }) }),
      status: 503, error: 'queue_unavailable', level: 'error', line: { ...GITHUB, deliveryId: PUSH_DELIVERY, reason: 'ServiceUnavailable: Service Unavailable' },
      counted: [RECEIVED, refused('queue_unavailable')],
    },
    {
      name: '500 internal_error: an error, with what failed',
      request: () => canaryPush(),
      options: () => ({ ingress: fakeIngressDependencies({ now: () => failingClock() }) }),
      status: 500, error: 'internal_error', level: 'error', line: { ...GITHUB, reason: 'TypeError: the clock is broken' },
    },
  ])('$name', async ({ request: build, options, ...refusal }) => {
    const request = build();

    expect(await refuse(request, options?.())).toEqual(onRecord(request, refusal));
  });

  it('413 body_too_large over the queue’s limit, with the size and the delivery id, after counting it received', async () => {
    const { filler, size } = await fillerOverQueueLimit(canaryPush);
    const request = canaryPush(filler);

    expect(await refuse(request, { ingress: fakeIngressDependencies({ maxBodyBytes: Number.POSITIVE_INFINITY }) })).toEqual(
      onRecord(request, {
        status: 413,
        error: 'body_too_large',
        level: 'warn',
        line: { ...GITHUB, deliveryId: PUSH_DELIVERY, reason: `with its envelope the delivery is ${size} bytes; a queued message holds at most ${SQS_MAX_MESSAGE_BYTES}` },
        counted: [RECEIVED, refused('body_too_large')],
      }),
    );
  });

  it('keeps the first 64 characters of a name no source has, and counts it under "(unknown)", whatever the method', async () => {
    const name = `${'a'.repeat(64)}${'b'.repeat(1_000)}`;
    for (const method of ['POST', 'GET']) {
      const { lines, points } = await refuse(canaryPush(), { source: name, method });

      expect(lines.map((line) => line.attributes.source)).toEqual([`${'a'.repeat(64)}…`]);
      expect(points).toEqual([expect.objectContaining({ dimensions: expect.objectContaining({ source: '(unknown)' }) })]);
    }
  });
});
