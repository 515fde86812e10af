import type { CanonicalEvent } from './CanonicalEvent';

/**
 * What a field of the canonical event holds: the kinds templates and expressions are checked
 * against when the config loads. `int` is a number that is always whole (a pull request's number).
 */
export type FieldKind = 'string' | 'int' | 'number' | 'bool' | 'list<string>' | ObjectFields;

/** The fields of an object, by name. */
export interface ObjectFields {
  readonly [name: string]: FieldKind;
}

/**
 * The description of T that the type checker holds to T: every field of T, optional ones
 * included, and no other, each with the kind of its value. A field added to T and not to its
 * description, or the other way round, fails `tsc`.
 */
export type FieldsOf<T> = { readonly [K in keyof T]-?: KindOf<NonNullable<T[K]>> };

// Tuples keep the checks from distributing over unions: a field of `string | number` has no kind and fails `tsc`.
type KindOf<V> = [V] extends [string]
  ? 'string'
  : [V] extends [number]
    ? 'int' | 'number'
    : [V] extends [boolean]
      ? 'bool'
      : [V] extends [readonly string[]]
        ? 'list<string>'
        : [V] extends [object]
          ? FieldsOf<V>
          : never;

/** CanonicalEvent's fields, at run time: what `${event.…}` and `event.…` in a rule may read. */
export const EVENT_FIELDS: FieldsOf<CanonicalEvent> = {
  source: 'string',
  provider: 'string',
  kind: 'string',
  event: 'string',
  action: 'string',
  deliveryId: 'string',
  receivedAt: 'string',
  occurredAt: 'string',
  sender: 'string',
  git: {
    serverUrl: 'string',
    repository: {
      fullName: 'string',
      name: 'string',
      owner: 'string',
      url: 'string',
      cloneUrl: 'string',
      defaultBranch: 'string',
    },
    ref: 'string',
    refType: 'string',
    branch: 'string',
    tag: 'string',
    before: 'string',
    after: 'string',
    commit: { id: 'string', message: 'string', author: 'string', timestamp: 'string', url: 'string' },
    changedFiles: { added: 'list<string>', modified: 'list<string>', removed: 'list<string>' },
    pullRequest: {
      number: 'int',
      title: 'string',
      state: 'string',
      sourceBranch: 'string',
      targetBranch: 'string',
      merged: 'bool',
      url: 'string',
      headCommit: 'string',
      mergeCommit: 'string',
    },
    pipeline: { id: 'string', status: 'string', url: 'string' },
    release: { name: 'string', url: 'string', prerelease: 'bool', draft: 'bool' },
  },
  artifact: {
    registry: 'string',
    registryUrl: 'string',
    namespace: 'string',
    repository: 'string',
    image: 'string',
    tag: 'string',
    digest: 'string',
    mediaType: 'string',
    packageType: 'string',
    pusher: 'string',
    url: 'string',
  },
};
