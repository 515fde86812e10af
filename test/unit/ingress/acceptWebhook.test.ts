import type { APIGatewayProxyResult } from 'aws-lambda';
import { DEFAULT_MAX_BODY_BYTES, SQS_MAX_MESSAGE_BYTES, acceptWebhook } from '../../../lambda/ingress/acceptWebhook';
import { type RelayMessage, messageAttributes, messageBody, messageText, sqsMessageBytes } from '../../../lambda/events/RelayMessage';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { apiGatewayEvent } from '../../support/apiGatewayEvent';
import { RECEIVED_AT } from '../../support/deliveries';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { RecordingQueue, fakeIngressDependencies } from '../../support/fakeIngressDependencies';
import { queuedEvents } from '../../support/queuedMessage';
import { until } from '../../support/until';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../support/webhookFixtures';

const PUSH_DELIVERY = '5ecc39b7-d405-47c5-a937-cc1e658d5686';
const SHA256 = { header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' };

/** A GitHub push to a branch, as GitHub sends it to the `github` source. */
const push = () => fixture('github/push.branch-created');

/** The push with a field no rule reads, `{"padding":"xx…x",` and `filler` x, first in its body; signed. */
function paddedPush(filler: number): WebhookRequest {
  const body = Buffer.from(`{"padding":"${'x'.repeat(filler)}",${push().body.toString('utf8').slice(1)}`);
  return signed(push(), body, TEST_SECRET, SHA256);
}

/** The bytes of the padded push without filler. */
const PADDED_PUSH_BYTES = paddedPush(0).body.length;

async function post(request: WebhookRequest, dependencies = fakeIngressDependencies(), source = 'github') {
  const answer = await acceptWebhook(apiGatewayEvent({ source, ...request }), dependencies);
  return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown>, contentType: answer.headers?.['Content-Type'] };
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
      'x-hub-signature-256': request.headers['x-hub-signature-256'],
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

  it('logs "Delivery refused" with the error code, and counts nothing', async () => {
    const ingress = fakeIngressDependencies();
    await post(withHeaders(push(), { 'x-hub-signature-256': undefined, 'x-hub-signature': undefined }), ingress);

    expect(ingress.logger.lines).toEqual([
      { level: 'warn', message: 'Delivery refused', attributes: { source: 'github', provider: 'github', error: 'missing_signature', reason: expect.any(String) } },
    ]);
    expect(ingress.metrics.points).toEqual([]);
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

    it('is 737,280 bytes, which base64-encoded leaves 64 KiB of SQS’s 1 MiB for the envelope', () => {
      expect(DEFAULT_MAX_BODY_BYTES).toBe(737_280);
      expect(SQS_MAX_MESSAGE_BYTES - (DEFAULT_MAX_BODY_BYTES / 3) * 4).toBe(64 * 1024);
    });

    it('accepts a body of exactly the limit, and its message, attributes included, fits SQS’s 1 MiB', async () => {
      const ingress = fakeIngressDependencies();

      expect(await post(pushOf(DEFAULT_MAX_BODY_BYTES), ingress)).toMatchObject({ status: 202, body: { deliveryId: PUSH_DELIVERY } });
      const [queued] = ingress.queue.sent;
      expect(messageBody(queued?.message as RelayMessage)).toHaveLength(DEFAULT_MAX_BODY_BYTES);
      expect(sqsMessageBytes(Buffer.byteLength(queued?.body ?? ''), messageAttributes(queued?.message as RelayMessage))).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    });

    it('answers 413 to a body one byte over, and queues nothing', async () => {
      const ingress = fakeIngressDependencies();

      expect(await post(pushOf(DEFAULT_MAX_BODY_BYTES + 1), ingress)).toMatchObject({
        status: 413,
        body: { error: 'body_too_large', message: 'the body is 737281 bytes; the limit is 737280' },
      });
      expect(ingress.queue.sent).toEqual([]);
    });
  });

  it('answers 413 to a body within the limit whose message, attributes counted as SQS counts them, exceeds 1 MiB', async () => {
    const unlimited = () => fakeIngressDependencies({ maxBodyBytes: Number.POSITIVE_INFINITY });
    const measured = unlimited();
    await post(paddedPush(0), measured);
    const [small] = measured.queue.sent;
    const json = small?.body.length ?? 0;
    const attributes = sqsMessageBytes(0, messageAttributes(small?.message as RelayMessage));
    // Each 3 bytes of padding add 4 characters: the most padding whose JSON alone still fits.
    const filler = Math.floor((SQS_MAX_MESSAGE_BYTES - json) / 4) * 3;
    const size = json + (filler / 3) * 4 + attributes;
    expect(size - attributes).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    expect(size).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES);

    const ingress = unlimited();
    expect(await post(paddedPush(filler), ingress)).toMatchObject({
      status: 413,
      body: { error: 'body_too_large', message: `with its envelope the delivery is ${size} bytes; a queued message holds at most 1048576` },
    });
    expect(ingress.queue.sent).toEqual([]);
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
  it('answers 503 secrets_unavailable when the source’s secret cannot be read, and logs why', async () => {
    const ingress = fakeIngressDependencies({ secrets: new InMemorySecretStore({}) });

    expect(await post(push(), ingress)).toEqual({
      status: 503,
      body: { error: 'secrets_unavailable', message: 'the relay cannot read this source’s secrets now; retry later' },
      contentType: 'application/json',
    });
    expect(ingress.logger.lines).toEqual([
      {
        level: 'error',
        message: 'The source’s secrets cannot be read',
        attributes: { source: 'github', provider: 'github', error: 'SecretReadError: could not read the secret "webhooks/github": it does not exist' },
      },
    ]);
  });

  it('answers 503 queue_unavailable when the queue refuses the delivery, and logs why', async () => {
    const ingress = fakeIngressDependencies({ queue: new RecordingQueue(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' })) });

    expect(await post(push(), ingress)).toEqual({
      status: 503,
      body: { error: 'queue_unavailable', message: 'the delivery could not be queued; retry it' },
      contentType: 'application/json',
    });
    expect(ingress.logger.named('The delivery could not be queued')).toEqual([
      {
        level: 'error',
        message: 'The delivery could not be queued',
        attributes: { source: 'github', provider: 'github', deliveryId: PUSH_DELIVERY, error: 'ServiceUnavailable: Service Unavailable' },
      },
    ]);
  });
});
