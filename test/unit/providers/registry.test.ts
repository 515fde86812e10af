import type { ProviderName } from '../../../lambda/events/CanonicalEvent';
import { normaliseDelivery, receiveWebhook } from '../../../lambda/providers/receiveWebhook';
import { ADAPTERS, eventFromOtherRoute } from '../../../lambda/providers/registry';
import { TEST_SECRET, fixture, fixtureNames } from '../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');

/** A queue message as it arrives, and parsed, as the relay hands both over. */
function queued(text: string): [unknown, string] {
  return [JSON.parse(text), text];
}

describe('eventFromOtherRoute', () => {
  it.each(fixtureNames('aws-ecr'))('recognises %s put bare on the queue by an EventBridge rule, and reads it as ingress would', (name) => {
    const routed = eventFromOtherRoute(...queued(fixture(name).body.toString('utf8')));
    expect(routed?.provider).toBe('aws-ecr');
    const source = { name: 'ecr', provider: 'aws-ecr' as const, secrets: [] };
    const fromIngress = receiveWebhook({ ...source, secrets: [TEST_SECRET] }, fixture(name), RECEIVED_AT).events;
    expect(normaliseDelivery(source, routed?.request ?? fixture(name), RECEIVED_AT)).toEqual(fromIngress);
  });

  it.each(fixtureNames().filter((name) => !name.startsWith('aws-ecr/')))('leaves %s to ingress: it comes by no other route', (name) => {
    expect(eventFromOtherRoute(...queued(fixture(name).body.toString('utf8')))).toBeUndefined();
  });

  it('recognises no relay message, and nothing that is not JSON', () => {
    const message = JSON.stringify({ version: 1, source: 'ecr', provider: 'aws-ecr', deliveryId: 'd', receivedAt: 'r', events: [{}], body: '{}', headers: {} });
    expect(eventFromOtherRoute(...queued(message))).toBeUndefined();
    expect(eventFromOtherRoute(undefined, 'not a relay message')).toBeUndefined();
    expect(eventFromOtherRoute(...queued('{"source": "aws.s3", "detail-type": "Object Created"}'))).toBeUndefined();
  });
});

describe('requiresSecret', () => {
  it('is false only for a provider whose events may come straight from its own service (ECR through EventBridge)', () => {
    const optional = (Object.keys(ADAPTERS) as ProviderName[]).filter((provider) => !ADAPTERS[provider].requiresSecret);
    expect(optional).toEqual(['aws-ecr']);
    expect(optional.every((provider) => ADAPTERS[provider].fromQueue !== undefined)).toBe(true);
  });
});
