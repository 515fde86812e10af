import path from 'node:path';
import { loadConfig } from '../../../lambda/config/loadConfig';
import { MalformedMessageError, type RelayMessage } from '../../../lambda/events/RelayMessage';
import { acceptWebhook } from '../../../lambda/ingress/acceptWebhook';
import { receiveWebhook } from '../../../lambda/providers/receiveWebhook';
import { apiGatewayEvent } from '../../support/apiGatewayEvent';
import { RECEIVED_AT } from '../../support/deliveries';
import { fakeIngressDependencies } from '../../support/fakeIngressDependencies';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { queuedEvents, queuedMessage } from '../../support/queuedMessage';
import { TEST_SECRET, fixture, fixtureNames } from '../../support/webhookFixtures';

const { sources } = loadConfig(path.join(__dirname, '../../../relay.config.yaml')).config;

// Docker Hub and Quay sign nothing: the secret travels in the webhook URL (docs/providers.md).
const URL_TOKEN_PROVIDERS = new Set(['dockerhub', 'quay', 'gerrit']);

/** Every delivery of the corpus that ingress queues (pings are answered, and JFrog's data-only file is no delivery). */
const QUEUED = fixtureNames().filter((name) => !name.endsWith('.docs-data-only') && name !== 'github/ping');

describe.each(QUEUED)('%s, queued by ingress', (name) => {
  it('reads as the same events at the relay as at ingress', async () => {
    const source = name.split('/')[0] ?? '';
    const definition = sources[source];
    if (definition === undefined) throw new Error(`relay.config.yaml has no source ${source}`);
    const tokenQuery = typeof definition.options?.tokenQuery === 'string' ? definition.options.tokenQuery : 'token';
    const request = fixture(name, URL_TOKEN_PROVIDERS.has(definition.provider) ? { [tokenQuery]: TEST_SECRET } : {});
    const secrets = new InMemorySecretStore(Object.fromEntries(definition.secrets.map((secret) => [secret, TEST_SECRET])));
    const ingress = fakeIngressDependencies({ sources, secrets });

    const answer = await acceptWebhook(apiGatewayEvent({ source, ...request }), ingress);

    expect(answer.statusCode).toBe(202);
    const [queued] = ingress.queue.sent;
    const atIngress = receiveWebhook({ name: source, provider: definition.provider, secrets: [TEST_SECRET], options: definition.options }, request, RECEIVED_AT);
    expect(queuedEvents(queued?.message as RelayMessage, sources)).toEqual(atIngress.events);
  });
});

describe('a message without events', () => {
  it('is not read for a source no longer configured, or configured for another provider', async () => {
    const { message } = await queuedMessage('github', fixture('github/push.tag'));
    const unread = /no github source named "github" is configured to read this delivery with/;
    expect(() => queuedEvents(message, {})).toThrow(MalformedMessageError);
    expect(() => queuedEvents(message, {})).toThrow(unread);
    expect(() => queuedEvents(message, { github: { provider: 'gitlab', secrets: [] } })).toThrow(unread);
  });
});

it('a message that carries its events keeps them, as queued before ingress stopped writing them', async () => {
  const { message, events } = await queuedMessage('github', fixture('github/push.tag'));
  const kept = [{ ...events[0], kind: 'other' }] as RelayMessage['events'];
  expect(queuedEvents({ ...message, events: kept }, {})).toBe(kept);
});
