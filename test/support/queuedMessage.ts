import type { CanonicalEvent } from '../../lambda/events/CanonicalEvent';
import { type RelayMessage, messageBody } from '../../lambda/events/RelayMessage';
import type { SourceDefinition } from '../../lambda/config/RelayConfig';
import { acceptWebhook } from '../../lambda/ingress/acceptWebhook';
import { parseBody } from '../../lambda/providers/parseBody';
import type { WebhookRequest } from '../../lambda/providers/types';
import { messageEvents } from '../../lambda/relay/messageEvents';
import { apiGatewayEvent } from './apiGatewayEvent';
import { fakeIngressDependencies } from './fakeIngressDependencies';

/**
 * A delivery to one of the fake ingress's sources as ingress queues it: the message, the body
 * that SQS holds and the relay receives, and the events the relay reads from it.
 *
 * @example
 * const { body } = await queuedMessage('github', fixture('github/push.tag'));
 * await processRecord(sqsRecord(body), () => 60_000, fakeRelayDependencies());
 */
export async function queuedMessage(source: string, request: WebhookRequest): Promise<{ message: RelayMessage; body: string; events: CanonicalEvent[] }> {
  const ingress = fakeIngressDependencies();
  const answer = await acceptWebhook(apiGatewayEvent({ source, ...request }), ingress);
  const [queued] = ingress.queue.sent;
  if (answer.statusCode !== 202 || !queued) throw new Error(`ingress answered ${answer.statusCode} ${answer.body}, and queued nothing`);
  return { ...queued, events: queuedEvents(queued.message, ingress.sources) };
}

/** The events the relay reads from a queued message (lambda/relay/messageEvents.ts). */
export function queuedEvents(message: RelayMessage, sources: Readonly<Record<string, SourceDefinition>>): CanonicalEvent[] {
  const request = { body: messageBody(message), headers: message.headers, query: message.query };
  return messageEvents(message, request, parseBody(request), sources);
}
