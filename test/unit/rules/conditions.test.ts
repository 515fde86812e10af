import type { CanonicalEvent, ChangedFiles, GitEvent } from '../../../lambda/events/CanonicalEvent';
import { type Condition, compileConditions } from '../../../lambda/rules/conditions';
import type { Delivery } from '../../../lambda/rules/Delivery';
import type { RuleConditions } from '../../../lambda/rules/RuleDefinition';

const after = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

const helloWorld = {
  fullName: 'Codertocat/Hello-World',
  name: 'Hello-World',
  owner: 'Codertocat',
  url: 'https://github.com/Codertocat/Hello-World',
};

function delivery(event: Partial<CanonicalEvent>, raw: Partial<Omit<Delivery, 'event'>> = {}): Delivery {
  return {
    event: {
      source: 'github-acme',
      provider: 'github',
      kind: 'push',
      event: 'push',
      deliveryId: '5ecc39b7-d405-47c5-a937-cc1e658d5686',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2026-11-28T11:59:00.000Z',
      sender: 'Codertocat',
      ...event,
    },
    body: {},
    headers: { 'x-github-event': 'push' },
    query: {},
    ...raw,
  };
}

function git(fields: Partial<GitEvent>): GitEvent {
  return { serverUrl: 'https://github.com', repository: helloWorld, ...fields };
}

/** A push to a branch of Codertocat/Hello-World, with the files it changed. */
function push(branch: string, changedFiles?: Partial<ChangedFiles>): Delivery {
  return delivery({
    git: git({
      ref: `refs/heads/${branch}`,
      refType: 'branch',
      branch,
      before: '0000000000000000000000000000000000000000',
      after,
      changedFiles: changedFiles && { added: [], modified: [], removed: [], ...changedFiles },
    }),
  });
}

function tagPush(tag: string): Delivery {
  return delivery({ kind: 'tag', git: git({ ref: `refs/tags/${tag}`, refType: 'tag', tag, after }) });
}

function pullRequest(action: string, targetBranch: string): Delivery {
  return delivery({
    kind: 'pull_request',
    event: 'pull_request',
    action,
    git: git({
      branch: 'changes',
      pullRequest: { number: 2, title: 'Update the README with new information', state: 'open', sourceBranch: 'changes', targetBranch, merged: false },
    }),
  });
}

function harborPush(tag?: string): Delivery {
  return delivery({
    source: 'harbor-prod',
    provider: 'harbor',
    kind: 'artifact_push',
    event: 'PUSH_ARTIFACT',
    sender: 'harbor-jobservice',
    artifact: {
      registry: 'harbor.example.com',
      registryUrl: 'https://harbor.example.com',
      namespace: 'harbor',
      repository: 'alpine',
      image: 'harbor/alpine',
      tag,
      digest: 'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4',
    },
  });
}

/** The one condition a `when` compiles to, without issues. */
function only(when: RuleConditions): Condition {
  const { conditions, issues } = compileConditions(when);
  expect(issues).toEqual([]);
  expect(conditions).toHaveLength(1);
  return conditions[0] as Condition;
}

describe('compiling', () => {
  it('gives no conditions and no issues for no when', () => {
    expect(compileConditions()).toEqual({ conditions: [], issues: [] });
    expect(compileConditions({})).toEqual({ conditions: [], issues: [] });
  });

  it('orders the conditions sources, events, the pattern lists, paths, then expression', () => {
    const { conditions, issues } = compileConditions({
      expression: 'true',
      paths: { include: ['*.ts'] },
      targetBranches: ['main'],
      actions: ['opened'],
      imageTags: ['v*'],
      tags: ['v*'],
      branches: ['main'],
      images: ['harbor/*'],
      namespaces: ['harbor'],
      registries: ['harbor.example.com'],
      repositories: ['Codertocat/*'],
      events: ['push'],
      sources: ['github-acme'],
    });
    expect(issues).toEqual([]);
    expect(conditions.map((condition) => condition.field)).toEqual([
      'when.sources',
      'when.events',
      'when.repositories',
      'when.registries',
      'when.namespaces',
      'when.images',
      'when.branches',
      'when.tags',
      'when.imageTags',
      'when.actions',
      'when.targetBranches',
      'when.paths',
      'when.expression',
    ]);
  });
});

describe('sources', () => {
  it('passes a delivery from a listed source', () => {
    expect(only({ sources: ['gitlab-internal', 'github-acme'] }).test(push('main'))).toBeUndefined();
  });

  it('names the source and the list when it is not listed', () => {
    expect(only({ sources: ['gitlab-internal', 'bitbucket-dc'] }).test(push('main'))).toBe('source "github-acme" is not one of gitlab-internal, bitbucket-dc');
  });

  it('gives the sources as literals', () => {
    expect(only({ sources: ['gitlab-internal', 'github-acme'] }).literals).toEqual(['gitlab-internal', 'github-acme']);
  });
});

describe('events', () => {
  it('passes a listed event kind', () => {
    expect(only({ events: ['push', 'tag'] }).test(tagPush('v1.2.0'))).toBeUndefined();
  });

  it('names the event kind and the list when it is not listed', () => {
    expect(only({ events: ['push', 'pull_request'] }).test(tagPush('v1.2.0'))).toBe('event kind "tag" is not one of push, pull_request');
  });

  it('gives the event kinds as literals', () => {
    expect(only({ events: ['push', 'pull_request'] }).literals).toEqual(['push', 'pull_request']);
  });
});

describe('pattern lists', () => {
  it('passes a repository that matches', () => {
    expect(only({ repositories: ['Codertocat/*'] }).test(push('main'))).toBeUndefined();
  });

  it('names the repository and the patterns when it does not match', () => {
    expect(only({ repositories: ['acme/*', 'octo-org/api'] }).test(push('main'))).toBe('repository "Codertocat/Hello-World" does not match acme/*, octo-org/api');
  });

  it('says an artifact event has no repository', () => {
    expect(only({ repositories: ['Codertocat/*'] }).test(harborPush('v1.2.0'))).toBe('the event has no repository');
  });

  it('names the registry when it does not match', () => {
    expect(only({ registries: ['registry.hub.docker.com'] }).test(harborPush('v1.2.0'))).toBe(
      'registry "harbor.example.com" does not match registry.hub.docker.com',
    );
  });

  it('says a Git event has no registry', () => {
    expect(only({ registries: ['harbor.example.com'] }).test(push('main'))).toBe('the event has no registry');
  });

  it('names the namespace when it does not match', () => {
    expect(only({ namespaces: ['library'] }).test(harborPush('v1.2.0'))).toBe('namespace "harbor" does not match library');
  });

  it('says a Git event has no namespace', () => {
    expect(only({ namespaces: ['harbor'] }).test(push('main'))).toBe('the event has no namespace');
  });

  it('passes an image that matches', () => {
    expect(only({ images: ['harbor/*'] }).test(harborPush('v1.2.0'))).toBeUndefined();
  });

  it('names the image when it does not match', () => {
    expect(only({ images: ['library/*'] }).test(harborPush('v1.2.0'))).toBe('image "harbor/alpine" does not match library/*');
  });

  it('says a Git event has no image', () => {
    expect(only({ images: ['harbor/alpine'] }).test(push('main'))).toBe('the event has no image');
  });

  it('passes a branch that matches', () => {
    expect(only({ branches: ['main', 'release/*'] }).test(push('release/2.1'))).toBeUndefined();
  });

  it('names the branch when it does not match', () => {
    expect(only({ branches: ['main', 'release/*'] }).test(push('feature/login'))).toBe('branch "feature/login" does not match main, release/*');
  });

  it('quotes negated patterns in the reason as written', () => {
    expect(only({ branches: ['*', '!wip-*'] }).test(push('wip-spike'))).toBe('branch "wip-spike" does not match *, !wip-*');
  });

  it('fails a branch longer than 4096 characters with that reason, even for an exclusion', () => {
    const long = `${'a'.repeat(10_000)}!`;
    expect(only({ branches: ['/^(a+)+$/'] }).test(push(long))).toBe('branch is 10001 characters; patterns match at most 4096');
    expect(only({ branches: ['!wip/*'] }).test(push(long))).toBe('branch is 10001 characters; patterns match at most 4096');
  });

  it('compares a long branch with plain names as any other', () => {
    expect(only({ branches: ['main'] }).test(push('a'.repeat(5000)))).toBe(`branch "${'a'.repeat(5000)}" does not match main`);
  });

  it('says a tag push has no branch', () => {
    expect(only({ branches: ['main'] }).test(tagPush('v1.2.0'))).toBe('the event has no branch');
  });

  it('passes a tag that matches a regular expression', () => {
    expect(only({ tags: ['/^v\\d+\\.\\d+\\.\\d+$/'] }).test(tagPush('v1.2.0'))).toBeUndefined();
  });

  it('names the tag when it does not match', () => {
    expect(only({ tags: ['v2.*'] }).test(tagPush('v1.2.0'))).toBe('tag "v1.2.0" does not match v2.*');
  });

  it('says a branch push has no tag', () => {
    expect(only({ tags: ['v*'] }).test(push('main'))).toBe('the event has no tag');
  });

  it('names the image tag when it does not match', () => {
    expect(only({ imageTags: ['v*'] }).test(harborPush('latest'))).toBe('image tag "latest" does not match v*');
  });

  it('says an untagged artifact push has no image tag', () => {
    expect(only({ imageTags: ['v*'] }).test(harborPush())).toBe('the event has no image tag');
  });

  it('passes an action that matches', () => {
    expect(only({ actions: ['opened', 'synchronize'] }).test(pullRequest('synchronize', 'main'))).toBeUndefined();
  });

  it('names the action when it does not match', () => {
    expect(only({ actions: ['opened', 'synchronize'] }).test(pullRequest('closed', 'main'))).toBe('action "closed" does not match opened, synchronize');
  });

  it('says a push has no action', () => {
    expect(only({ actions: ['opened'] }).test(push('main'))).toBe('the event has no action');
  });

  it('passes a pull request target branch that matches', () => {
    expect(only({ targetBranches: ['main'] }).test(pullRequest('opened', 'main'))).toBeUndefined();
  });

  it('names the pull request target branch when it does not match', () => {
    expect(only({ targetBranches: ['main'] }).test(pullRequest('opened', 'develop'))).toBe('pull request target branch "develop" does not match main');
  });

  it('says a push has no pull request target branch', () => {
    expect(only({ targetBranches: ['main'] }).test(push('main'))).toBe('the event has no pull request target branch');
  });
});

describe('literals', () => {
  it('gives the patterns of a plain list of literals', () => {
    expect(only({ repositories: ['Codertocat/Hello-World', 'octo-org/api'] }).literals).toEqual(['Codertocat/Hello-World', 'octo-org/api']);
  });

  it('gives none for a list with a glob', () => {
    expect(only({ images: ['harbor/alpine', 'library/*'] }).literals).toBeUndefined();
  });

  it('gives none for a list with a negation', () => {
    expect(only({ branches: ['main', '!develop'] }).literals).toBeUndefined();
  });

  it('gives none for paths', () => {
    expect(only({ paths: { include: ['README.md'] } }).literals).toBeUndefined();
  });

  it('gives none for an expression', () => {
    expect(only({ expression: 'true' }).literals).toBeUndefined();
  });
});

describe('issues', () => {
  it('locates a bad pattern by its field and position', () => {
    const { conditions, issues } = compileConditions({ branches: ['main', 'release/[0-9'] });
    expect(issues).toEqual([{ path: ['when', 'branches', 1], message: 'invalid glob "release/[0-9": an unclosed "["' }]);
    expect(conditions).toEqual([]);
  });

  it('still compiles the other conditions', () => {
    const { conditions } = compileConditions({ events: ['push'], branches: ['['], tags: ['v*'] });
    expect(conditions.map((condition) => condition.field)).toEqual(['when.events', 'when.tags']);
  });

  it('locates a bad expression at when.expression', () => {
    const { conditions, issues } = compileConditions({ expression: 'evnt.kind == "push"' });
    expect(conditions).toEqual([]);
    expect(issues).toEqual([{ path: ['when', 'expression'], message: expect.stringMatching(/^invalid CEL expression: Unknown variable: evnt/), offset: 0 }]);
  });

  it('locates a bad include path pattern', () => {
    const { conditions, issues } = compileConditions({ paths: { include: ['src/**', 'docs/**x'] } });
    expect(conditions).toEqual([]);
    expect(issues).toEqual([
      { path: ['when', 'paths', 'include', 1], message: 'invalid glob "docs/**x": "**" must be a whole path segment (a/**/b), else use "*"' },
    ]);
  });

  it('locates a bad exclude path pattern', () => {
    const { conditions, issues } = compileConditions({ paths: { include: ['*.ts'], exclude: ['docs/{a,b'] } });
    expect(conditions).toEqual([]);
    expect(issues).toEqual([{ path: ['when', 'paths', 'exclude', 0], message: 'invalid glob "docs/{a,b": an unclosed "{"' }]);
  });

  it('locates a regular expression RE2 cannot run', () => {
    const { issues } = compileConditions({ branches: ['main', '/^(a+)\\1$/'] });
    expect(issues).toEqual([
      { path: ['when', 'branches', 1], message: 'invalid regular expression "/^(a+)\\\\1$/": `\\1` is a backreference, which RE2 (linear-time matching) does not support' },
    ]);
  });

  it('reports every issue, in checking order', () => {
    const { issues } = compileConditions({ expression: '1 + 2', tags: ['***'], repositories: ['/(/'] });
    expect(issues.map((issue) => issue.path)).toEqual([
      ['when', 'repositories', 0],
      ['when', 'tags', 0],
      ['when', 'expression'],
    ]);
  });
});

describe('expression', () => {
  it('passes when it is true', () => {
    expect(only({ expression: 'event.git.branch == "main"' }).test(push('main'))).toBeUndefined();
  });

  it('gives its reason when it is false', () => {
    expect(only({ expression: 'event.git.branch == "main"' }).test(push('develop'))).toBe('the expression is false');
  });

  it('gives its reason when a field is missing', () => {
    expect(only({ expression: 'event.artifact.tag == "v1"' }).test(push('main'))).toMatch(/^the expression could not be evaluated: /);
  });

  it('reads the body, headers and query of the delivery', () => {
    const condition = only({ expression: 'headers["x-github-event"] == "push" && query.env == "prod" && body.commits.size() == 1' });
    const raw = push('main');
    expect(condition.test({ ...raw, query: { env: 'prod' }, body: { commits: [{ id: after }] } })).toBeUndefined();
    expect(condition.test({ ...raw, query: { env: 'staging' }, body: { commits: [{ id: after }] } })).toBe('the expression is false');
  });
});

describe('paths', () => {
  it('fails when a changed file is longer than 4096 characters, whatever the patterns would say', () => {
    const long = `src/${'a'.repeat(5000)}.ts`;
    expect(only({ paths: { include: ['src/**'] } }).test(push('main', { modified: ['README.md', long] }))).toBe(
      'a changed file is 5007 characters; patterns match at most 4096',
    );
    expect(only({ paths: { exclude: ['docs/**'] } }).test(push('main', { added: [long] }))).toBe('a changed file is 5007 characters; patterns match at most 4096');
  });

  it('matches long changed files against plain file names', () => {
    expect(only({ paths: { include: ['README.md'] } }).test(push('main', { modified: [`${'a'.repeat(5000)}/README.md`] }))).toBeUndefined();
  });

  it('passes when a changed file is included', () => {
    expect(only({ paths: { include: ['*.ts'] } }).test(push('main', { modified: ['src/index.ts', 'README.md'] }))).toBeUndefined();
  });

  it('names the include patterns when no changed file is included', () => {
    expect(only({ paths: { include: ['*.ts', '*.tsx'] } }).test(push('main', { modified: ['README.md', 'docs/guide.md'] }))).toBe(
      'no changed file matches *.ts, *.tsx',
    );
  });

  it('counts added, modified and removed files', () => {
    const condition = only({ paths: { include: ['*.ts'] } });
    expect(condition.test(push('main', { added: ['src/new.ts'] }))).toBeUndefined();
    expect(condition.test(push('main', { removed: ['src/old.ts'] }))).toBeUndefined();
  });

  it('passes with exclude only when no changed file is excluded', () => {
    expect(only({ paths: { exclude: ['*.md'] } }).test(push('main', { modified: ['src/index.ts'] }))).toBeUndefined();
  });

  it('stops with exclude only when any changed file is excluded, naming the first', () => {
    expect(only({ paths: { exclude: ['*.md'] } }).test(push('main', { added: ['src/index.ts', 'CHANGELOG.md'], modified: ['README.md'] }))).toBe(
      'changed file "CHANGELOG.md" is excluded (*.md)',
    );
  });

  it('stops, preferring exclude by default, when a push touches included and excluded files', () => {
    const condition = only({ paths: { include: ['*.ts'], exclude: ['*.md'] } });
    expect(condition.test(push('main', { modified: ['src/index.ts', 'README.md'] }))).toBe('changed file "README.md" is excluded (*.md)');
  });

  it('stops, preferring exclude explicitly, when a push touches included and excluded files', () => {
    const condition = only({ paths: { include: ['*.ts'], exclude: ['*.md'], prefer: 'exclude' } });
    expect(condition.test(push('main', { modified: ['src/index.ts', 'README.md'] }))).toBe('changed file "README.md" is excluded (*.md)');
  });

  it('passes, preferring include, when a push touches included and excluded files', () => {
    const condition = only({ paths: { include: ['*.ts'], exclude: ['*.md'], prefer: 'include' } });
    expect(condition.test(push('main', { modified: ['src/index.ts', 'README.md'] }))).toBeUndefined();
  });

  it('passes, preferring include, a file both included and excluded', () => {
    const condition = only({ paths: { include: ['*.ts'], exclude: ['*.test.ts'], prefer: 'include' } });
    expect(condition.test(push('main', { modified: ['src/index.test.ts'] }))).toBeUndefined();
  });

  it('stops, preferring include, when no changed file is included', () => {
    const condition = only({ paths: { include: ['*.ts'], exclude: ['*.md'], prefer: 'include' } });
    expect(condition.test(push('main', { modified: ['package.json'] }))).toBe('no changed file matches *.ts');
  });

  it('passes, preferring include with exclude only, when some changed file is not excluded', () => {
    const condition = only({ paths: { exclude: ['*.md'], prefer: 'include' } });
    expect(condition.test(push('main', { modified: ['src/index.ts', 'README.md'] }))).toBeUndefined();
  });

  it('stops, preferring include with exclude only, a push with only excluded files', () => {
    const condition = only({ paths: { exclude: ['*.md'], prefer: 'include' } });
    expect(condition.test(push('main', { modified: ['README.md', 'docs/guide.md'] }))).toBe('every changed file is excluded (*.md)');
  });

  it('stops, preferring exclude, a push with only excluded files', () => {
    const condition = only({ paths: { exclude: ['*.md'] } });
    expect(condition.test(push('main', { modified: ['README.md', 'docs/guide.md'] }))).toBe('changed file "README.md" is excluded (*.md)');
  });

  it('says when the provider sends no changed files', () => {
    expect(only({ paths: { include: ['*.ts'] } }).test(push('main'))).toBe('the event lists no changed files (its provider does not send them)');
  });

  it('says an artifact event lists no changed files', () => {
    expect(only({ paths: { exclude: ['*.md'] } }).test(harborPush('v1.2.0'))).toBe('the event lists no changed files (its provider does not send them)');
  });

  it('says when the push changed no files', () => {
    expect(only({ paths: { exclude: ['*.md'] } }).test(push('main', {}))).toBe('the event changed no files');
  });

  it('matches a pattern without a slash against the last segment of each path', () => {
    const condition = only({ paths: { include: ['*.md'] } });
    expect(condition.test(push('main', { modified: ['docs/guide/install.md'] }))).toBeUndefined();
  });

  it('matches a **/ pattern against the whole path', () => {
    const condition = only({ paths: { include: ['**/*.tf'] } });
    expect(condition.test(push('main', { modified: ['infra/modules/vpc/main.tf'] }))).toBeUndefined();
    expect(condition.test(push('main', { modified: ['infra/README.md'] }))).toBe('no changed file matches **/*.tf');
  });

  it('matches a regular expression against the whole path', () => {
    const condition = only({ paths: { exclude: ['/^docs\\//'] } });
    expect(condition.test(push('main', { modified: ['docs/guide.md'] }))).toBe('changed file "docs/guide.md" is excluded (/^docs\\//)');
  });

  it('matches a directory pattern against the whole path', () => {
    expect(only({ paths: { include: ['src/**'] } }).test(push('main', { modified: ['src/index.ts'] }))).toBeUndefined();
  });

  it('matches a plain file name against the last segment of each path', () => {
    expect(only({ paths: { include: ['Dockerfile'] } }).test(push('main', { modified: ['services/api/Dockerfile'] }))).toBeUndefined();
  });
});
