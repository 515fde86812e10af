import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RelayConfig } from '../../lambda/config/RelayConfig';
import { parseBody } from '../../lambda/providers/parseBody';
import { normaliseDelivery } from '../../lambda/providers/receiveWebhook';
import type { Delivery } from '../../lambda/rules/Delivery';
import type { SourceNames, Subject } from './generateRules';

const FIXTURES = path.join(__dirname, '../../test/fixtures/webhooks');

export interface Fixture {
  name: string;
  /** The body as text: what JSON.parse is timed on. */
  text: string;
  delivery: Delivery;
}

/**
 * Every delivery of the corpus as the relay's rules see it: normalised by the provider of the
 * source named like the fixture's folder in relay.config.yaml, signature unchecked.
 */
export function loadFixtures(config: RelayConfig): Fixture[] {
  const index = JSON.parse(readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as { entries: { file: string; headers: string }[] };
  // JFrog's docs-data-only file is the `data` object alone, as the docs page shows it: not a delivery.
  const entries = index.entries.filter((entry) => !entry.file.includes('.docs-data-only.'));
  return entries.flatMap((entry) => {
    const sourceName = entry.file.split('/')[0] ?? '';
    const source = config.sources[sourceName];
    if (!source) throw new Error(`${entry.file}: relay.config.yaml has no source "${sourceName}"`);
    const stored = JSON.parse(readFileSync(path.join(FIXTURES, entry.headers), 'utf8')) as Record<string, string>;
    const headers = Object.fromEntries(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
    const request = { body: readFileSync(path.join(FIXTURES, entry.file)), headers, query: {} };
    const events = normaliseDelivery({ name: sourceName, provider: source.provider, secrets: [], options: source.options }, request);
    const body = parseBody(request);
    const name = entry.file.replace(/\.json$/, '');
    return events.map((event, position) => ({
      name: events.length === 1 ? name : `${name}#${position + 1}`,
      text: request.body.toString('utf8'),
      delivery: { event, body, headers, query: {} },
    }));
  });
}

/** The repositories and images the deliveries name, each with the event kinds seen for it. */
export function subjectsOf(fixtures: readonly Fixture[]): Subject[] {
  const subjects = new Map<string, Subject>();
  for (const { event } of fixtures.map((fixture) => fixture.delivery)) {
    const named = event.git
      ? { field: 'repositories' as const, name: event.git.repository.fullName }
      : event.artifact && { field: 'images' as const, name: event.artifact.image };
    if (!named) continue;
    const key = [event.source, named.field, named.name].join('\u0000');
    const subject = subjects.get(key) ?? { source: event.source, ...named, events: [] };
    if (!subject.events.includes(event.kind)) subject.events.push(event.kind);
    subjects.set(key, subject);
  }
  return [...subjects.values()];
}

export function sourceNames(fixtures: readonly Fixture[]): SourceNames {
  const events = fixtures.map((fixture) => fixture.delivery.event);
  return {
    git: [...new Set(events.filter((event) => event.git).map((event) => event.source))],
    registry: [...new Set(events.filter((event) => event.artifact).map((event) => event.source))],
  };
}
