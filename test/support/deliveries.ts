import { parseBody } from '../../lambda/providers/parseBody';
import { normaliseDelivery } from '../../lambda/providers/receiveWebhook';
import type { SourceConfig } from '../../lambda/providers/types';
import type { Delivery } from '../../lambda/rules/Delivery';
import { fixture } from './webhookFixtures';

export const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');

/** The deliveries of a stored fixture as rules see them, from a source named after its provider's folder. */
export function fixtureDeliveries(name: string, source?: Partial<SourceConfig>): Delivery[] {
  const provider = name.split('/')[0] as SourceConfig['provider'];
  const request = fixture(name);
  const events = normaliseDelivery({ name: provider, provider, secrets: [], ...source }, request, RECEIVED_AT);
  const body = parseBody(request);
  return events.map((event) => ({ event, body, headers: request.headers, query: request.query }));
}

/** The one delivery of a fixture that has one. */
export function fixtureDelivery(name: string, source?: Partial<SourceConfig>): Delivery {
  const [delivery, ...more] = fixtureDeliveries(name, source);
  if (!delivery || more.length > 0) throw new Error(`${name} gives ${more.length + (delivery ? 1 : 0)} events, not one`);
  return delivery;
}
