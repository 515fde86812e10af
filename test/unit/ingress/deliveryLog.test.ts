import { acceptWebhook } from '../../../lambda/ingress/acceptWebhook';
import { parseRelayMessage } from '../../../lambda/events/RelayMessage';
import { apiGatewayEvent } from '../../support/apiGatewayEvent';
import { RECEIVED_AT } from '../../support/deliveries';
import { RecordingQueue, fakeIngressDependencies } from '../../support/fakeIngressDependencies';
import { RecordingDeliveryLog } from '../../support/RecordingDeliveryLog';
import { fixture } from '../../support/webhookFixtures';

const PUSH_DELIVERY = '5ecc39b7-d405-47c5-a937-cc1e658d5686';

/** A request as API Gateway passes it, from `sender` with `agent`. */
function fromSender(source: string, request: ReturnType<typeof fixture>, agent = 'GitHub-Hookshot/044aadd') {
  const event = apiGatewayEvent({ source, ...request, headers: { ...request.headers, 'User-Agent': agent } });
  event.requestContext.identity = { ...event.requestContext.identity, sourceIp: '203.0.113.9', userAgent: agent };
  return event;
}

describe('what ingress writes to the delivery log', () => {
  it('nothing for an accepted delivery: the relay logs it from the queue, and the message carries the sender’s address', async () => {
    const deliveries = new RecordingDeliveryLog();
    const ingress = fakeIngressDependencies({ deliveries });

    expect((await acceptWebhook(fromSender('github', fixture('github/push.branch-created')), ingress)).statusCode).toBe(202);
    expect(deliveries.texts()).toEqual([]);
    const [queued] = ingress.queue.sent;
    expect(parseRelayMessage(queued?.body ?? '')).toMatchObject({ deliveryId: PUSH_DELIVERY, senderIp: '203.0.113.9' });
  });

  it('a refusal’s metadata only: no body, header or query of a request that failed authentication', async () => {
    const deliveries = new RecordingDeliveryLog();
    const forged = { ...fixture('github/push.branch-created'), query: { token: 'planted-query-value' } };
    forged.headers = { ...forged.headers, 'x-hub-signature-256': 'sha256=00' };

    expect((await acceptWebhook(fromSender('github', forged), fakeIngressDependencies({ deliveries }))).statusCode).toBe(401);
    expect(deliveries.refusals).toEqual([
      {
        source: 'github',
        provider: 'github',
        receivedAt: RECEIVED_AT.toISOString(),
        status: 401,
        error: 'invalid_signature',
        message: expect.any(String),
        bodyBytes: forged.body.length,
        senderIp: '203.0.113.9',
        userAgent: 'GitHub-Hookshot/044aadd',
      },
    ]);
    expect(deliveries.texts().join('')).not.toMatch(/planted-query-value|"ref"|sha256=00/);
  });

  it('a request to no source, under the first 64 characters of the name asked for', async () => {
    const deliveries = new RecordingDeliveryLog();
    const name = `x${'y'.repeat(100)}`;
    expect((await acceptWebhook(apiGatewayEvent({ source: name, body: '{}' }), fakeIngressDependencies({ deliveries }))).statusCode).toBe(404);
    expect(deliveries.refusals).toEqual([expect.objectContaining({ source: `${name.slice(0, 64)}…`, status: 404, error: 'unknown_source' })]);
    expect(deliveries.refusals[0]?.provider).toBeUndefined();
  });

  it('a delivery read but not queued, with its id, so that the sender’s retry can be told from it', async () => {
    const deliveries = new RecordingDeliveryLog();
    const ingress = fakeIngressDependencies({ deliveries, queue: new RecordingQueue(new Error('SQS is down')) });
    expect((await acceptWebhook(fromSender('github', fixture('github/push.branch-created')), ingress)).statusCode).toBe(503);
    expect(deliveries.refusals).toEqual([expect.objectContaining({ deliveryId: PUSH_DELIVERY, status: 503, error: 'queue_unavailable' })]);
  });

  it('a ping, answered here and never queued: its headers and body', async () => {
    const deliveries = new RecordingDeliveryLog();
    const ingress = fakeIngressDependencies({ deliveries });
    expect((await acceptWebhook(fromSender('github', fixture('github/ping')), ingress)).statusCode).toBe(200);
    expect(deliveries.answers).toEqual([expect.objectContaining({ source: 'github', status: 200, eventKind: 'ping', body: fixture('github/ping').body.toString('utf8') })]);
    expect(ingress.queue.sent).toEqual([]);
  });

  it('a log that fails changes no answer: the failure is logged and counted', async () => {
    const deliveries = new RecordingDeliveryLog(new Error('DynamoDB is down'));
    const ingress = fakeIngressDependencies({ deliveries });
    const forged = fixture('github/push.branch-created');
    forged.headers = { ...forged.headers, 'x-hub-signature-256': 'sha256=00' };

    expect((await acceptWebhook(fromSender('github', forged), ingress)).statusCode).toBe(401);
    expect(ingress.logger.named('The delivery log was not written')).toEqual([expect.objectContaining({ level: 'warn', attributes: expect.objectContaining({ reason: 'Error: DynamoDB is down' }) })]);
    expect(ingress.metrics.points).toContainEqual({ name: 'deliveryLogFailed', unit: 'Count', value: 1 });
  });
});
