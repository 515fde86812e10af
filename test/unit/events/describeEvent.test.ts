import type { CanonicalEvent } from '../../../lambda/events/CanonicalEvent';
import { describeEvent } from '../../../lambda/events/describeEvent';

const base: CanonicalEvent = {
  source: 's',
  provider: 'gitlab',
  kind: 'push',
  event: 'Push Hook',
  deliveryId: 'd',
  receivedAt: '2026-11-28T12:00:00.000Z',
  occurredAt: '2026-11-28T12:00:00.000Z',
  sender: 'alice',
};
const repository = { fullName: 'acme/app', name: 'app', owner: 'acme', url: '' };
const git = { serverUrl: 'https://gitlab.example.com', repository };

it.each<[Partial<CanonicalEvent>, string]>([
  [{ git: { ...git, branch: 'main' } }, 'push to main by alice'],
  [{ kind: 'tag', git: { ...git, tag: 'v1.0.0' } }, 'tag v1.0.0 pushed by alice'],
  [{ kind: 'delete', git: { ...git, refType: 'branch', branch: 'old' } }, 'branch old deleted by alice'],
  [
    { kind: 'pull_request', action: 'open', git: { ...git, pullRequest: { number: 7, title: 't', state: 'opened', sourceBranch: 'f', targetBranch: 'main', merged: false } } },
    'pull request #7 opened by alice',
  ],
  [
    { kind: 'pull_request', action: 'merged', git: { ...git, pullRequest: { number: 7, title: 't', state: 'active', sourceBranch: 'f', targetBranch: 'main', merged: false } } },
    'pull request #7 merge attempted by alice',
  ],
  [
    { kind: 'pull_request', action: 'reviewer:approved', git: { ...git, pullRequest: { number: 7, title: 't', state: 'OPEN', sourceBranch: 'f', targetBranch: 'main', merged: false } } },
    'pull request #7 reviewer:approved by alice',
  ],
  [
    { kind: 'pull_request', action: 'closed', git: { ...git, pullRequest: { number: 7, title: 't', state: 'merged', sourceBranch: 'f', targetBranch: 'main', merged: true } } },
    'pull request #7 merged by alice',
  ],
  [{ kind: 'pipeline', sender: undefined, git: { ...git, branch: 'main', pipeline: { id: '31', status: 'success' } } }, 'pipeline success on main'],
  [{ kind: 'release', action: 'published', git: { ...git, tag: 'v1.2.0', release: { name: 'Version 1.2.0' } } }, 'release v1.2.0 published by alice'],
  [{ kind: 'release', action: 'prereleased', git: { ...git, tag: 'v1.3.0-rc.1' } }, 'release v1.3.0-rc.1 published by alice'],
  [{ kind: 'release', action: 'update', sender: undefined, git: { ...git, tag: 'v1.1' } }, 'release v1.1 updated'],
  [
    { kind: 'artifact_push', artifact: { registry: 'h', registryUrl: 'https://h', namespace: 'n', repository: 'r', image: 'n/r', tag: '1.0' } },
    'n/r:1.0 pushed by alice',
  ],
  [
    { kind: 'artifact_delete', sender: undefined, artifact: { registry: 'h', registryUrl: 'https://h', namespace: 'n', repository: 'r', image: 'n/r', digest: 'sha256:ab' } },
    'n/r@sha256:ab deleted',
  ],
  [{ kind: 'ping' }, 'webhook test from gitlab'],
  [{ kind: 'other', event: 'Note Hook' }, 'Note Hook from gitlab by alice'],
])('%j reads "%s"', (overrides, sentence) => {
  expect(describeEvent({ ...base, ...overrides })).toBe(sentence);
});
