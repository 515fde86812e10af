import { EVENT_KINDS, type ProviderName } from '../../../lambda/events/CanonicalEvent';
import { nativeTriggerInput } from '../../../lambda/events/nativeTriggerInput';
import { UnknownEventError } from '../../../lambda/providers/errors';
import { receiveWebhook } from '../../../lambda/providers/receiveWebhook';
import { TEST_SECRET, fixture, fixtureNames } from '../../support/webhookFixtures';

// Providers that sign nothing carry the secret in the webhook URL (docs/providers.md).
const URL_TOKEN_PROVIDERS = new Set(['dockerhub', 'quay', 'gerrit']);
// Not a delivery: the JFrog docs show only the data object (PROVENANCE caveat 3).
const NOT_A_DELIVERY = new Set(['jfrog-artifactory/docker.pushed.docs-data-only']);

describe.each(fixtureNames())('%s', (name) => {
  const provider = name.split('/')[0] as ProviderName;
  const request = () => fixture(name, URL_TOKEN_PROVIDERS.has(provider) ? { token: TEST_SECRET } : {});
  const receive = () => receiveWebhook({ name: `${provider}-corpus`, provider, secrets: [TEST_SECRET] }, request());

  if (NOT_A_DELIVERY.has(name)) {
    it('authenticates, then is refused as an unknown event', () => {
      expect(receive).toThrow(UnknownEventError);
    });
    return;
  }

  it('authenticates with the test secret and normalises to well-formed canonical events', () => {
    const { events } = receive();
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event).toMatchObject({ source: `${provider}-corpus`, provider });
      expect(EVENT_KINDS).toContain(event.kind);
      expect(event.deliveryId).not.toBe('');
      expect(Date.parse(event.occurredAt)).not.toBeNaN();
      expect(JSON.stringify(event)).not.toMatch(/undefined|NaN|\[object Object\]/);
      for (const value of Object.values(nativeTriggerInput(event))) expect(typeof value).toBe('string');
    }
    expect(new Set(events.map((event) => event.deliveryId)).size).toBe(events.length);
  });

  it('gives the delivery id beside its events: theirs where there is one, `<id>#n` where there are several', () => {
    const { deliveryId, events } = receive();
    expect(deliveryId).not.toBe('');
    expect(events.map((event) => event.deliveryId)).toEqual(events.length === 1 ? [deliveryId] : events.map((_event, index) => `${deliveryId}#${index + 1}`));
  });

  it('is refused with a wrong secret', () => {
    expect(() => receiveWebhook({ name: 'x', provider, secrets: ['wrong'] }, request())).toThrow(/none of the source's secrets|does not match/);
  });
});
