import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../../cli/main';
import { loadConfig } from '../../../lambda/config/loadConfig';
import { fixtureNames } from '../../support/webhookFixtures';

const ROOT = path.join(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/webhooks');
const CONFIG = path.join(ROOT, 'relay.config.yaml');
const RULES = loadConfig(CONFIG).config.rules.map((rule) => rule.name);

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

/** `relay test --json` on a stored delivery, through the source named after its provider. */
async function dryRun(name: string): Promise<{ deliveryId: string; event: Record<string, unknown>; decisions: Record<string, unknown>[] }[]> {
  const { code, stdout, stderr } = await relay(
    'test',
    '--config',
    CONFIG,
    '--source',
    name.split('/')[0] ?? '',
    '--body',
    path.join(FIXTURES, `${name}.json`),
    '--headers',
    path.join(FIXTURES, `${name}.headers.json`),
    '--json',
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as never);
}

function requestOf(output: Awaited<ReturnType<typeof dryRun>>[number], rule: string): unknown {
  return output.decisions.find((decision) => decision.rule === rule)?.request;
}

describe('relay validate', () => {
  it('accepts the example config', async () => {
    expect(await relay('validate', '--config', CONFIG)).toEqual({ code: 0, stdout: `${CONFIG}: valid: 14 sources, ${RULES.length} rules\n`, stderr: '' });
  });

  it('prints every problem on stderr, those of the schema and the others together, and exits 1', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'broken.yaml');
    writeFileSync(
      file,
      readFileSync(CONFIG, 'utf8').replace('branches: [main, master, develop, "release/*"]', 'branchs: [main]').replace('tags: ["v*",', 'tags: ["[v*",'),
    );
    const { code, stdout, stderr } = await relay('validate', '--config', file);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${file}:\\d+:7: rule "build-main-lines": rules\\[0\\]\\.when\\.branchs: unknown key "branchs"$`)),
      expect.stringMatching(new RegExp(`^${file}:\\d+:14: rule "release-tags": rules\\[2\\]\\.when\\.tags\\[0\\]: invalid glob "\\[v\\*": an unclosed "\\["$`)),
      `${file}: 2 problems`,
    ]);
  });

  it('reads RELAY_CONFIG when no --config is given', async () => {
    process.env.RELAY_CONFIG = CONFIG;
    try {
      expect((await relay('validate')).code).toBe(0);
    } finally {
      delete process.env.RELAY_CONFIG;
    }
  });
});

describe('relay test --json', () => {
  it.each(fixtureNames().filter((name) => !name.includes('docs-data-only')))('%s prints the contract: one decision per rule, in config order', async (name) => {
    for (const output of await dryRun(name)) {
      expect(Object.keys(output)).toEqual(['deliveryId', 'event', 'decisions']);
      expect(output.deliveryId).toBe(output.event.deliveryId);
      expect(output.decisions.map((decision) => decision.rule)).toEqual(RULES);
      for (const decision of output.decisions) {
        expect(Object.keys(decision)).toEqual(['rule', 'matched', 'reason', 'pipeline', 'request']);
        if (decision.matched) {
          expect(decision.pipeline).not.toBeNull();
          expect(decision.request === null).toBe(typeof decision.reason === 'string');
        } else {
          expect(decision).toMatchObject({ reason: expect.stringMatching(/^when\.\w+: /), pipeline: null, request: null });
        }
      }
    }
  });

  it('a GitHub push to master starts two rules, with these exact requests', async () => {
    const [output] = await dryRun('github/push.branch-created');
    const native = {
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      GIT_CHANGE_SUBJECT: 'Initial commit',
      GIT_EVENT_OWNER_NAME: 'Codertocat',
      GIT_EVENT_DESCRIPTION: 'push to master by Codertocat',
      GIT_EVENT_TIMESTAMP: '2019-05-15T15:19:25.000Z',
      GIT_REPO_NAME: 'Codertocat/Hello-World',
      GIT_SERVER_URL: 'https://github.com',
    };
    expect(output!.decisions.filter((decision) => decision.matched).map((decision) => decision.rule)).toEqual(['build-main-lines', 'build-code-changes']);
    expect(requestOf(output!, 'build-main-lines')).toEqual({
      comments: 'github: push to master of Codertocat/Hello-World',
      input: { ...native, GIT_REF: 'refs/heads/master', PUSHED_BY: 'Codertocat' },
      source: 'webhook-relay:github',
      tags: ['ci', 'repo:Codertocat/Hello-World', 'delivery:5ecc39b7-d405-47c5-a937-cc1e658d5686', 'rule:build-main-lines'],
    });
    expect(requestOf(output!, 'build-code-changes')).toEqual({
      comments: 'push to master by Codertocat',
      input: { ...native, CHANGED: '{"added":["README.md"],"modified":[],"removed":[]}' },
      source: 'webhook-relay:github',
      tags: ['delivery:5ecc39b7-d405-47c5-a937-cc1e658d5686', 'rule:build-code-changes'],
    });
  });

  it('a GitHub tag starts the release rule', async () => {
    const [output] = await dryRun('github/push.tag');
    expect(requestOf(output!, 'release-tags')).toEqual({
      comments: 'tag simple-tag pushed by Codertocat',
      input: {
        GIT_BRANCH_NAME: '',
        GIT_COMMIT_ID: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        GIT_CHANGE_SUBJECT: 'Adding a .gitignore file',
        GIT_EVENT_OWNER_NAME: 'Codertocat',
        GIT_EVENT_DESCRIPTION: 'tag simple-tag pushed by Codertocat',
        GIT_EVENT_TIMESTAMP: '2019-05-15T15:20:41.000Z',
        GIT_REPO_NAME: 'Codertocat/Hello-World',
        GIT_SERVER_URL: 'https://github.com',
        RELEASE_TAG: 'simple-tag',
        RELEASE_COMMIT: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      },
      source: 'release-tags',
      tags: ['delivery:52786a74-3eb5-40e3-b2d9-7addb6d1bf34', 'rule:release-tags'],
    });
  });

  it('a merged Bitbucket Data Center pull request deploys', async () => {
    const [output] = await dryRun('bitbucket-server/pr_merged');
    expect(output!.decisions.filter((decision) => decision.matched).map((decision) => decision.rule)).toEqual(['deploy-merged']);
    expect(requestOf(output!, 'deploy-merged')).toEqual({
      comments: 'pull request #5 merged by gopher',
      input: {
        GIT_BRANCH_NAME: 'master',
        GIT_COMMIT_ID: 'cbf26be7bfc8394906abbd571498fb8d28888b58',
        GIT_CHANGE_SUBJECT: 'Update README',
        GIT_EVENT_OWNER_NAME: 'gopher',
        GIT_EVENT_DESCRIPTION: 'pull request #5 merged by gopher',
        GIT_EVENT_TIMESTAMP: '2019-03-01T09:37:14.000Z',
        GIT_REPO_NAME: '~gopher/webhook-test',
        GIT_SERVER_URL: 'https://server.bitbucket.local',
      },
      source: 'webhook-relay:bitbucket-server',
      tags: ['delivery:1e8d051e-9c8a-4fce-8c2b-ed43b70f033e', 'rule:deploy-merged'],
    });
  });

  it('image pushes to Docker Hub, Quay and ECR deploy, with the native DOCKER_* inputs', async () => {
    const [dockerhub] = await dryRun('dockerhub/push');
    expect(requestOf(dockerhub!, 'deploy-images')).toEqual({
      comments: 'svendowideit/testhook:latest pushed by trustedbuilder',
      input: {
        DOCKER_EVENT_TIMESTAMP: '2014-12-03T00:22:41.000Z',
        DOCKER_IMAGE_TAG: 'latest',
        DOCKER_OWNER_NAME: 'trustedbuilder',
        DOCKER_REPO_NAME: 'testhook',
        DOCKER_REPO_NAMESPACE: 'svendowideit',
        DOCKER_SERVER_URL: 'https://registry.hub.docker.com',
        IMAGE: 'registry.hub.docker.com/svendowideit/testhook',
        IMAGE_REF: 'latest',
      },
      source: 'webhook-relay:dockerhub',
      tags: ['delivery:sha256:98e2f723186ba9ea341dc6b13da0d5d72092c32fc6530373ae1065137c0ec816', 'rule:deploy-images'],
    });
    const [quay] = await dryRun('quay/repo_push');
    // Quay sends no time: the event happened when it was received.
    expect(requestOf(quay!, 'deploy-images')).toEqual({
      comments: 'dgangaia/repository:latest pushed',
      input: {
        DOCKER_EVENT_TIMESTAMP: quay!.event.receivedAt,
        DOCKER_IMAGE_TAG: 'latest',
        DOCKER_OWNER_NAME: '',
        DOCKER_REPO_NAME: 'repository',
        DOCKER_REPO_NAMESPACE: 'dgangaia',
        DOCKER_SERVER_URL: 'https://quay.io',
        IMAGE: 'quay.io/dgangaia/repository',
        IMAGE_REF: 'latest',
      },
      source: 'webhook-relay:quay',
      tags: ['delivery:sha256:01a0f0ea9f30c48b4a336bad73c0b8e256dd189b2102bf853fee4421f176a6cd', 'rule:deploy-images'],
    });
    const [ecr] = await dryRun('aws-ecr/image-action.push');
    expect(requestOf(ecr!, 'deploy-images')).toEqual({
      comments: 'my-repository-name:latest pushed',
      input: {
        DOCKER_EVENT_TIMESTAMP: '2019-11-16T01:54:34.000Z',
        DOCKER_IMAGE_TAG: 'latest',
        DOCKER_OWNER_NAME: '',
        DOCKER_REPO_NAME: 'my-repository-name',
        DOCKER_REPO_NAMESPACE: '',
        DOCKER_SERVER_URL: 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com',
        IMAGE: '123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repository-name',
        IMAGE_REF: 'latest',
      },
      source: 'webhook-relay:aws-ecr',
      tags: ['delivery:13cde686-328b-6117-af20-0e5566167482', 'rule:deploy-images'],
    });
  });

  it('a successful GitLab pipeline reads a header and the raw body', async () => {
    const [output] = await dryRun('gitlab/pipeline');
    expect(requestOf(output!, 'gitlab-pipeline-succeeded')).toMatchObject({
      input: { GITLAB_PIPELINE: '31', FIRST_BUILD: 'production', GIT_BRANCH_NAME: 'master' },
      tags: ['gitlab-pipeline:31', 'delivery:d8c6a01a-dca2-4d6d-9424-11aadbbff29d', 'rule:gitlab-pipeline-succeeded'],
    });
  });
});

describe('relay test, for people', () => {
  it('lists every rule, why each miss missed, and what a match sends', async () => {
    const { code, stdout } = await relay(
      'test',
      '--config',
      CONFIG,
      '--source',
      'github',
      '--body',
      path.join(FIXTURES, 'github/push.tag.json'),
      '--headers',
      path.join(FIXTURES, 'github/push.tag.headers.json'),
    );
    expect(code).toBe(0);
    expect(stdout).toContain('github (github) push → tag: tag simple-tag pushed by Codertocat');
    expect(stdout).toMatch(/ {2}✗ build-main-lines +when\.events: event kind "tag" is not one of push\n/);
    expect(stdout).toMatch(/ {2}✓ release-tags +→ pipeline demo\/build\n/);
    expect(stdout).toContain('        RELEASE_TAG = "simple-tag"');
    expect(stdout).toContain(`1 of ${RULES.length} rules match.`);
  });

  it('refuses an unknown source, a missing option and a delivery the provider cannot read', async () => {
    const unknown = await relay('test', '--config', CONFIG, '--source', 'svn', '--body', CONFIG);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown source "svn"; the sources in .* are github, gitlab/);
    expect((await relay('test', '--config', CONFIG, '--source', 'github')).stderr).toContain('relay test needs --source and --body');
    const refused = await relay(
      'test',
      '--config',
      CONFIG,
      '--source',
      'jfrog-artifactory',
      '--body',
      path.join(FIXTURES, 'jfrog-artifactory/docker.pushed.docs-data-only.json'),
    );
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'the jfrog-artifactory source refuses this delivery: unknown_event: the body has no domain and event_type: it is not a JFrog webhook envelope\n',
    });
  });

  it('rejects unknown commands and options with the usage', async () => {
    expect((await relay('deploy')).code).toBe(2);
    const badOption = await relay('validate', '--cfg', 'x');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--cfg'");
  });
});

describe('patterns run in linear time', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'relay-linear-'));
  // The example config's target and sources, with the given rules.
  const head = readFileSync(CONFIG, 'utf8').split('\nrules:\n')[0] ?? '';

  function configWith(name: string, rules: string): string {
    const file = path.join(directory, name);
    writeFileSync(file, `${head}\nrules:\n${rules}`);
    return file;
  }

  it('relay validate refuses a backreference with the rule, the field and the reason', async () => {
    const file = configWith('doubled.yaml', '  - name: doubled\n    when:\n      branches: [main, "/^(a+)\\\\1$/"]\n    pipeline: { id: p1 }\n');
    const { code, stdout, stderr } = await relay('validate', '--config', file);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    const line = head.split('\n').length + 4;
    expect(stderr).toBe(
      `${file}:${line}:24: rule "doubled": rules[0].when.branches[1]: invalid regular expression "/^(a+)\\\\1$/": \`\\1\` is a backreference, which RE2 (linear-time matching) does not support\n${file}: 1 problem\n`,
    );
  });

  // On JavaScript's RegExp, 28 a's and a "!" took 18 s; the timeout only guards.
  it('relay test decides /^(a+)+$/ against a\'s and a "!", and refuses to match past 4096 characters', async () => {
    const file = configWith('nested.yaml', '  - name: nested\n    when:\n      branches: ["/^(a+)+$/"]\n    pipeline: { id: p1 }\n');
    const push = JSON.parse(readFileSync(path.join(FIXTURES, 'github/push.branch-created.json'), 'utf8')) as Record<string, unknown>;
    const decide = async (branch: string): Promise<unknown> => {
      const body = path.join(directory, 'push.json');
      writeFileSync(body, JSON.stringify({ ...push, ref: `refs/heads/${branch}` }));
      const headers = path.join(FIXTURES, 'github/push.branch-created.headers.json');
      const { code, stdout, stderr } = await relay('test', '--config', file, '--source', 'github', '--body', body, '--headers', headers, '--json');
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      return (JSON.parse(stdout) as { decisions: { matched: boolean; reason: string }[] }).decisions.map(({ matched, reason }) => ({ matched, reason }));
    };
    for (const branch of [`${'a'.repeat(28)}!`, `${'a'.repeat(4095)}!`]) {
      expect(await decide(branch)).toEqual([{ matched: false, reason: `when.branches: branch "${branch}" does not match /^(a+)+$/` }]);
    }
    expect(await decide(`${'a'.repeat(10_000)}!`)).toEqual([{ matched: false, reason: 'when.branches: branch is 10001 characters; patterns match at most 4096' }]);
  }, 10_000);
});

describe('relay schema', () => {
  it('prints the published schema, relay.config.schema.json', async () => {
    const { code, stdout } = await relay('schema');
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(path.join(ROOT, 'relay.config.schema.json'), 'utf8'));
  });
});

describe('the relay command', () => {
  const run = promisify(execFile);

  it('runs as the package bin', async () => {
    const { stdout } = await run(path.join(ROOT, 'bin/relay.cjs'), ['validate', '--config', CONFIG], { cwd: ROOT });
    expect(stdout).toBe(`${CONFIG}: valid: 14 sources, ${RULES.length} rules\n`);
    await expect(run(path.join(ROOT, 'bin/relay.cjs'), ['validate', '--config', '/nonexistent.yaml'], { cwd: ROOT })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('/nonexistent.yaml: cannot read the config: ENOENT'),
    });
  }, 30_000);
});
