import type { ProviderName } from '../../../lambda/events/CanonicalEvent';
import { WebhookError } from '../../../lambda/providers/errors';
import { normaliseDelivery } from '../../../lambda/providers/receiveWebhook';
import { ADAPTERS } from '../../../lambda/providers/registry';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { fixture, fixtureNames } from '../../support/webhookFixtures';

const REPLACEMENTS: unknown[] = [null, 42, 'text', [], {}, [null], true];
const MAX_DEPTH = 4;

/** Every path into the body down to MAX_DEPTH, for replacing one value at a time. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (prefix.length >= MAX_DEPTH || value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_item, index) => index).slice(0, 2) : Object.keys(value);
  return keys.flatMap((key) => [[...prefix, key], ...paths((value as Record<string | number, unknown>)[key], [...prefix, key])]);
}

function replaced(body: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

/** Normalising may refuse a delivery, but only with a WebhookError: never a TypeError or the like. */
function expectOnlyWebhookErrors(provider: ProviderName, request: WebhookRequest, what: string): void {
  try {
    normaliseDelivery({ name: 'hostile', provider, secrets: [] }, request);
  } catch (error) {
    if (!(error instanceof WebhookError)) throw new Error(`${provider} crashed on ${what}: ${String(error)}`, { cause: error });
  }
}

describe.each(fixtureNames())('%s with one value replaced at a time', (name) => {
  it('never crashes its adapter', () => {
    const provider = name.split('/')[0] as ProviderName;
    const request = fixture(name);
    const body = JSON.parse(request.body.toString('utf8')) as unknown;
    for (const path of paths(body)) {
      for (const replacement of REPLACEMENTS) {
        const mutated = Buffer.from(JSON.stringify(replaced(body, path, replacement)));
        expectOnlyWebhookErrors(provider, { ...request, body: mutated }, `${path.join('.')} = ${JSON.stringify(replacement)}`);
      }
    }
  });
});

it('no adapter crashes on any other provider’s delivery', () => {
  for (const provider of Object.keys(ADAPTERS) as ProviderName[]) {
    for (const name of fixtureNames()) expectOnlyWebhookErrors(provider, fixture(name), name);
  }
});
