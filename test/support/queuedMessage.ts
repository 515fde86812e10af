import type { RelayMessage } from '../../lambda/events/RelayMessage';
import { acceptWebhook } from '../../lambda/ingress/acceptWebhook';
import type { WebhookRequest } from '../../lambda/providers/types';
import { apiGatewayEvent } from './apiGatewayEvent';
import { fakeIngressDependencies } from './fakeIngressDependencies';

/**
 * A delivery to one of the fake ingress's sources as ingress queues it: the message, and the body
 * that SQS holds and the relay receives.
 *
 * @example
 * const { body } = await queuedMessage('github', fixture('github/push.tag'));
 * await processRecord(sqsRecord(body), () => 60_000, fakeRelayDependencies());
 */
export async function queuedMessage(source: string, request: WebhookRequest): Promise<{ message: RelayMessage; body: string }> {
  const ingress = fakeIngressDependencies();
  const answer = await acceptWebhook(apiGatewayEvent({ source, ...request }), ingress);
  const [queued] = ingress.queue.sent;
  if (answer.statusCode !== 202 || !queued) throw new Error(`ingress answered ${answer.statusCode} ${answer.body}, and queued nothing`);
  return queued;
}
