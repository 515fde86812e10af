import { ConfigError, formatProblem } from '../../../lambda/config/ConfigError';
import { parseConfig } from '../../../lambda/config/loadConfig';
import type { CanonicalEvent } from '../../../lambda/events/CanonicalEvent';
import { compileQuietPeriod, defaultQuietKey } from '../../../lambda/rules/quietPeriod';

const FILE = 'relay.config.yaml';

function config(quietPeriod: string): string {
  return `codestream: { url: https://vra.example.com, auth: refreshToken, secret: codestream/relay }
sources:
  github: { provider: github, secrets: [webhooks/github] }
rules:
  - name: build
    pipeline: { id: build-pipeline }
    quietPeriod: ${quietPeriod}
`;
}

function problems(quietPeriod: string): string[] {
  try {
    parseConfig(config(quietPeriod), FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('the config was accepted');
}

const push = (git: Partial<NonNullable<CanonicalEvent['git']>>): CanonicalEvent => ({
  source: 'github',
  provider: 'github',
  kind: 'push',
  event: 'push',
  deliveryId: 'd-1',
  receivedAt: '2026-12-01T10:00:00.000Z',
  occurredAt: '2026-12-01T10:00:00.000Z',
  git: { serverUrl: 'https://github.com', repository: { fullName: 'acme/app', name: 'app', owner: 'acme', url: 'https://github.com/acme/app' }, ...git },
});

describe('the quietPeriod option', () => {
  it('compiles minutes or seconds, with the default key or templates of its own', () => {
    const minutes = parseConfig(config('{ minutes: 5 }'), FILE).engine.rule('build')?.quietPeriod;
    expect(minutes).toMatchObject({ ms: 300_000, text: '5 min' });
    expect(minutes?.key({ event: push({ branch: 'main' }), body: {}, headers: {}, query: {} })).toEqual(['github', 'acme/app', 'branch:main']);
    const seconds = parseConfig(config('{ seconds: 30, key: ["${event.git.repository.fullName}", "fixed"] }'), FILE).engine.rule('build')?.quietPeriod;
    expect(seconds).toMatchObject({ ms: 30_000, text: '30 s' });
    expect(seconds?.key({ event: push({ branch: 'main' }), body: {}, headers: {}, query: {} })).toEqual(['acme/app', 'fixed']);
  });

  it('is a config error given both, neither, or a period out of range, naming the rule and the field', () => {
    expect(problems('{ minutes: 5, seconds: 30 }')).toEqual(['relay.config.yaml:7:5: rule "build": rules[0].quietPeriod: give the quiet period in minutes or in seconds, not both']);
    expect(problems('{ key: ["${event.source}"] }')).toEqual(['relay.config.yaml:7:5: rule "build": rules[0].quietPeriod: missing required key "minutes"']);
    expect(problems('{}')).toEqual(['relay.config.yaml:7:5: rule "build": rules[0].quietPeriod: missing required key "minutes"']);
    expect(problems('{ minutes: 1441 }')).toEqual([expect.stringMatching(/rules\[0\]\.quietPeriod\.minutes: must be <= 1440$/)]);
    expect(problems('{ seconds: 0 }')).toEqual([expect.stringMatching(/rules\[0\]\.quietPeriod\.seconds: must be >= 1$/)]);
    expect(problems('{ seconds: 1.5 }')).toEqual([expect.stringMatching(/rules\[0\]\.quietPeriod\.seconds: must be an integer$/)]);
    expect(problems('{ minutes: 5, key: [] }')).toEqual([expect.stringMatching(/rules\[0\]\.quietPeriod\.key: must not be empty$/)]);
    expect(problems('{ minutes: 5, every: 2 }')).toEqual([expect.stringMatching(/rules\[0\]\.quietPeriod\.every: unknown key "every"$/)]);
  });

  it('checks its key templates as it checks input templates', () => {
    expect(problems('{ minutes: 5, key: ["${event.git.branch}", "${unknown.root}"] }')).toEqual([expect.stringMatching(/rules\[0\]\.quietPeriod\.key\[1\]: .*unknown/)]);
  });
});

describe('the default key', () => {
  it('is the source, the repository and the branch, tag or pull request, apart by kind', () => {
    expect(defaultQuietKey(push({ branch: 'main' }))).toEqual(['github', 'acme/app', 'branch:main']);
    expect(defaultQuietKey({ ...push({ tag: 'main' }), kind: 'tag' })).toEqual(['github', 'acme/app', 'tag:main']);
    const pullRequest = { number: 17, title: 't', state: 'open', sourceBranch: 'feature', targetBranch: 'main', merged: false };
    expect(defaultQuietKey({ ...push({ branch: 'main', pullRequest }), kind: 'pull_request' })).toEqual(['github', 'acme/app', 'pull-request:17']);
  });

  it('is the image and its tag for a registry, and leaves out what an event lacks', () => {
    const image = { registry: 'hub.docker.com', registryUrl: 'https://hub.docker.com', namespace: 'acme', repository: 'app', image: 'acme/app' };
    const { git: _git, ...event } = push({});
    expect(defaultQuietKey({ ...event, kind: 'artifact_push', artifact: { ...image, tag: 'latest' } })).toEqual(['github', 'acme/app', 'tag:latest']);
    expect(defaultQuietKey({ ...event, kind: 'artifact_push', artifact: image })).toEqual(['github', 'acme/app', '']);
    expect(defaultQuietKey({ ...event, kind: 'other' })).toEqual(['github', '', '']);
    expect(compileQuietPeriod({ minutes: 1 }).key({ event: push({}), body: {}, headers: {}, query: {} })).toEqual(['github', 'acme/app', '']);
  });
});
