import { Webhooks } from '@octokit/webhooks';
import type { IngressDelivery } from './deliveries';

type Received = Parameters<Webhooks['verifyAndReceive']>[0];

/**
 * The GitHub library's path for one delivery, as its Node middleware takes it once the body is
 * read: `verifyAndReceive` checks X-Hub-Signature-256 (HMAC-SHA256), JSON.parses the body and
 * dispatches it to the handlers registered. One handler is registered, doing nothing, so that the
 * dispatch happens and only the library is timed. Resolves to a function that receives the
 * delivery once, after checking that a first receipt reached the handler.
 */
export async function octokitReceiver(delivery: IngressDelivery): Promise<() => Promise<void>> {
  const webhooks = new Webhooks({ secret: delivery.secret });
  let handled = 0;
  webhooks.onAny(() => {
    handled += 1;
  });
  const received: Received = {
    id: header(delivery, 'x-github-delivery'),
    name: header(delivery, 'x-github-event') as Received['name'],
    payload: delivery.text,
    signature: header(delivery, 'x-hub-signature-256'),
  };
  const receive = () => webhooks.verifyAndReceive(received);
  await receive();
  if (handled !== 1) throw new Error(`${delivery.name}: @octokit/webhooks did not dispatch the delivery`);
  return receive;
}

function header(delivery: IngressDelivery, name: string): string {
  const found = Object.entries(delivery.headers).find(([key]) => key.toLowerCase() === name);
  if (!found) throw new Error(`${delivery.name}: no ${name} header`);
  return found[1];
}
