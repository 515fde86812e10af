import type { CanonicalEvent, EventKind, ProviderName } from '../lambda/events/CanonicalEvent';
import { nativeTriggerInput } from '../lambda/events/nativeTriggerInput';
import { adapterFor } from '../lambda/providers/registry';
import type { RuleDefinition } from '../lambda/rules/RuleDefinition';

type Details = 'git' | 'artifact';

/**
 * The details an event of each kind can carry, which decide its native inputs. A ping or an
 * `other` event may carry either (a GitHub ping its repository, a Quay build its image).
 */
const DETAILS_OF_KIND: Record<EventKind, readonly Details[]> = {
  push: ['git'],
  tag: ['git'],
  create: ['git'],
  delete: ['git'],
  pull_request: ['git'],
  pipeline: ['git'],
  release: ['git'],
  artifact_push: ['artifact'],
  artifact_delete: ['artifact'],
  artifact_scan: ['artifact'],
  ping: ['git', 'artifact'],
  other: ['git', 'artifact'],
};

// The names come from nativeTriggerInput itself, given an event with only that kind of details,
// so that they cannot drift from what the relay sends.
const EVENT: CanonicalEvent = { source: 'any', provider: 'generic', kind: 'other', event: 'any', deliveryId: 'any', receivedAt: '', occurredAt: '' };
const NAMES_OF_DETAILS: Record<Details, readonly string[]> = {
  git: Object.keys(nativeTriggerInput({ ...EVENT, git: { serverUrl: '', repository: { fullName: '', name: '', owner: '', url: '' } } })),
  artifact: Object.keys(nativeTriggerInput({ ...EVENT, artifact: { registry: '', registryUrl: '', namespace: '', repository: '', image: '' } })),
};

/**
 * The GIT_* / DOCKER_* inputs a rule may send: those of the event kinds its `when.events` admits
 * (every kind without it) that the providers it hears from can send (any, when not given); none
 * with `nativeInput: false`.
 */
export function nativeInputNames(rule: Pick<RuleDefinition, 'when' | 'nativeInput'>, providers?: readonly ProviderName[]): string[] {
  if (rule.nativeInput === false) return [];
  const kinds = rule.when?.events ?? (Object.keys(DETAILS_OF_KIND) as EventKind[]);
  const details = new Set(kinds.flatMap((kind) => DETAILS_OF_KIND[kind]));
  const described = providers === undefined ? undefined : new Set(providers.flatMap((provider) => adapterFor(provider).describes));
  return (['git', 'artifact'] as const).filter((each) => details.has(each) && (described?.has(each) ?? true)).flatMap((each) => NAMES_OF_DETAILS[each]);
}
