import type { ProviderName } from '../../../lambda/events/CanonicalEvent';
import { EVENT_FIELDS, type FieldKind, type FieldsOf } from '../../../lambda/events/eventFields';
import { receiveWebhook } from '../../../lambda/providers/receiveWebhook';
import { TEST_SECRET, fixture, fixtureNames } from '../../support/webhookFixtures';

/** Where a value does not have the kind the description gives it, as `git.pullRequest.number: 1.5 is not an int`. */
function mismatches(value: unknown, kind: FieldKind, path: string): string[] {
  if (typeof kind === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: ${JSON.stringify(value)} is not an object`];
    // A key whose value is undefined is an absent field, as JSON (and so the queued event) has it.
    return Object.entries(value).flatMap(([name, field]) => {
      if (field === undefined) return [];
      const described = Object.hasOwn(kind, name) ? kind[name] : undefined;
      return described === undefined ? [`${path}.${name} is not described`] : mismatches(field, described, `${path}.${name}`);
    });
  }
  const fits = {
    string: typeof value === 'string',
    int: Number.isInteger(value),
    number: typeof value === 'number',
    bool: typeof value === 'boolean',
    'list<string>': Array.isArray(value) && value.every((item) => typeof item === 'string'),
  }[kind];
  return fits ? [] : [`${path}: ${JSON.stringify(value)} is not ${kind}`];
}

// Providers that sign nothing carry the secret in the webhook URL.
const URL_TOKEN_PROVIDERS = new Set(['dockerhub', 'quay', 'gerrit']);

it('describes every field the adapters give, with the kind of its values, over the whole fixture corpus', () => {
  const found: string[] = [];
  let events = 0;
  for (const name of fixtureNames()) {
    const provider = name.split('/')[0] as ProviderName;
    let received;
    try {
      received = receiveWebhook({ name: 'corpus', provider, secrets: [TEST_SECRET] }, fixture(name, URL_TOKEN_PROVIDERS.has(provider) ? { token: TEST_SECRET } : {}));
    } catch {
      continue; // the corpus's one body that is not a delivery
    }
    for (const event of received.events) {
      events += 1;
      found.push(...mismatches(event, EVENT_FIELDS, 'event'));
    }
  }
  expect(events).toBeGreaterThan(30);
  expect(found).toEqual([]);
});

it('holds a description to its interface when tsc runs: every field, no other, each of its kind', () => {
  // Each line is a mistake `npx tsc` reports; the checked description of CanonicalEvent is EVENT_FIELDS itself.
  // The check is tsc's (npm test type-checks test/ too): Jest only transpiles, so nothing here can fail at run time.
  // @ts-expect-error a field of the interface left out of the description
  const missing: FieldsOf<{ a: string; b?: number }> = { a: 'string' };
  // @ts-expect-error a field the interface does not have
  const extra: FieldsOf<{ a: string }> = { a: 'string', b: 'string' };
  // @ts-expect-error the same, in a nested object
  const nested: FieldsOf<{ a?: { x: string } }> = { a: { x: 'string', y: 'bool' } };
  // @ts-expect-error a kind that is not the field's
  const wrongKind: FieldsOf<{ a: boolean }> = { a: 'string' };
  // @ts-expect-error a field whose type has no kind (string or number): it must be split or described otherwise
  const mixed: FieldsOf<{ a: string | number }> = { a: 'string' };
  const right: FieldsOf<{ a: string; n?: number; list: string[]; flag: boolean; o?: { 'x-y': string } }> = {
    a: 'string',
    n: 'int',
    list: 'list<string>',
    flag: 'bool',
    o: { 'x-y': 'string' },
  };
  void [missing, extra, nested, wrongKind, mixed, right];
});

it('gives the pull request number as an int, the kind CEL compares with integer literals', () => {
  expect(EVENT_FIELDS.git.pullRequest.number).toBe('int');
  expect(EVENT_FIELDS.git.changedFiles.added).toBe('list<string>');
});
