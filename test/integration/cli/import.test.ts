import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';
import { parseConfig } from '../../../lambda/config/loadConfig';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import type { SimulatedGitWebhook, SimulatedRegistryWebhook, SimulatorSeed } from '../../../local/codestream-simulator/seed';
import { freePort } from '../../support/freePort';
import { REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';

// relay import over loopback HTTP against the simulator, seeded with webhooks as the swagger has
// them: several server types, both kinds of file filter, inputs, delays, and what the relay
// cannot take over. More Git webhooks than one page holds, so that the import must page.

/** Distinctive credentials, which must appear nowhere the command writes. */
const TOKENS = {
  github: 'cs-github-secret-Zq81xW4v',
  gitlab: 'cs-gitlab-secret-Hk27pQ9m',
  dockerhub: 'cs-dockerhub-secret-Lt55nB3c',
  harbor: 'cs-harbor-secret-Vr60dJ1s',
  apiToken: 'cs-webhook-api-token-Ya73kE2u',
};

const GIT_WEBHOOKS: SimulatedGitWebhook[] = [
  {
    id: 'a1000000-0000-4000-8000-000000000001',
    name: 'hello-world-readme',
    project: 'demo',
    pipeline: 'build',
    description: 'Builds README changes of Hello-World',
    endpoint: 'GitHub-SaaS',
    serverType: 'GITHUB',
    repoName: 'Codertocat/Hello-World',
    branchName: 'master',
    eventCategory: 'PUSH',
    inclusions: [
      { type: 'PLAIN', value: 'README.md' },
      { type: 'REGEX', value: '^docs/.*\\.adoc$' },
    ],
    exclusions: [
      { type: 'PLAIN', value: 'secrets/key.pem' },
      { type: 'REGEX', value: '\\.tmp$' },
    ],
    prioritizeExclusion: true,
    input: { TARGET: 'staging', GIT_COMMIT_ID: '' },
    delayTimeInMins: 2,
    insecureSsl: true,
    secretToken: TOKENS.github,
    refreshToken: TOKENS.apiToken,
    serverWebhookId: '192837465',
  },
  {
    id: 'a1000000-0000-4000-8000-000000000002',
    name: 'hello-world-no-docs',
    project: 'demo',
    pipeline: 'build',
    endpoint: 'GitHub-SaaS',
    serverType: 'GITHUB',
    repoName: 'Codertocat/Hello-World',
    branchName: 'master',
    eventCategory: 'PUSH',
    exclusions: [{ type: 'REGEX', value: '\\.md$' }],
    prioritizeExclusion: true,
    secretToken: TOKENS.github,
    serverWebhookId: '192837466',
  },
  {
    id: 'a1000000-0000-4000-8000-000000000003',
    name: 'app-merge-requests',
    project: 'platform',
    pipeline: 'release',
    endpoint: 'GitLab-Corp',
    serverType: 'GITLAB',
    repoName: 'group/app',
    branchName: 'main',
    eventCategory: 'MERGE_REQUEST',
    input: { CHANNEL: '#deploys', COST: '$5' },
    secretToken: TOKENS.gitlab,
  },
  {
    id: 'a1000000-0000-4000-8000-000000000004',
    name: 'billing-pushes',
    project: 'demo',
    pipeline: 'build',
    endpoint: 'Bitbucket-DC',
    serverType: 'BITBUCKET',
    repoName: 'https://bitbucket.example.com/scm/bill/billing.git',
    branchName: 'develop',
    eventCategory: 'PUSH',
    delayTimeInMins: 0,
    externalListenerLink: 'codestream/api/git-webhook-listeners/173f5ed5-2197-4975-b782-a8679b2e4cd3',
  },
  {
    id: 'a1000000-0000-4000-8000-000000000005',
    name: 'gerrit-reviews',
    project: 'demo',
    pipeline: 'build',
    serverType: 'CODECOMMIT',
    repoName: 'platform/core',
    eventCategory: 'PUSH',
    secretToken: TOKENS.github,
  },
  // Teams have dozens: these fill the first page.
  ...Array.from({ length: 24 }, (_, index) => {
    const number = String(index + 1).padStart(2, '0');
    return {
      id: `b2000000-0000-4000-8000-0000000000${number}`,
      name: `service-${number}`,
      project: 'demo',
      pipeline: 'build',
      serverType: 'GITHUB',
      repoName: `acme/service-${number}`,
      branchName: 'main',
      eventCategory: 'PUSH',
      secretToken: TOKENS.github,
      // Someone once pasted the token into a description.
      ...(number === '24' ? { description: `token was ${TOKENS.github}, ask ops` } : {}),
    };
  }),
];

const REGISTRY_WEBHOOKS: SimulatedRegistryWebhook[] = [
  {
    id: 'c3000000-0000-4000-8000-000000000001',
    name: 'testhook-latest',
    project: 'demo',
    pipeline: 'deploy-image',
    description: 'Deploys the latest testhook image',
    endpoint: 'DockerHub',
    serverType: 'DockerHub',
    repoName: 'svendowideit/testhook',
    imageNameRegExPattern: 'svendowideit/.*',
    tagNamePattern: '^latest$',
    input: { DOCKER_IMAGE_TAG: '', REGION: 'eu-west-1' },
    slug: 'testhook-latest',
    secretToken: TOKENS.dockerhub,
    refreshToken: TOKENS.apiToken,
  },
  {
    id: 'c3000000-0000-4000-8000-000000000002',
    name: 'harbor-library',
    project: 'demo',
    pipeline: 'deploy-image',
    endpoint: 'Harbor-Prod',
    serverType: 'Harbor',
    repoName: 'library',
    imageNameRegExPattern: '^library/(?!test-).+',
    secretToken: TOKENS.harbor,
  },
  {
    id: 'c3000000-0000-4000-8000-000000000003',
    name: 'harbor-apps',
    project: 'demo',
    pipeline: 'deploy-image',
    endpoint: 'Harbor-Prod',
    serverType: 'Harbor',
    repoName: 'apps',
    imageNameRegExPattern: '^apps/web-',
    tagNamePattern: '^v[0-9]+',
    secretToken: TOKENS.harbor,
  },
  { id: 'c3000000-0000-4000-8000-000000000004', name: 'dtr-images', project: 'demo', pipeline: 'deploy-image', serverType: 'Docker_Trusted_Registry', repoName: 'ops/tools' },
  { id: 'c3000000-0000-4000-8000-000000000005', name: 'quay-retired', project: 'demo', pipeline: 'deploy-image', enabled: false, serverType: 'Quay', repoName: 'acme/old' },
];

const SEED: SimulatorSeed = {
  users: [{ name: 'relay', refreshToken: REFRESH_TOKEN }],
  pipelines: [
    { id: 'd4000000-0000-4000-8000-000000000001', project: 'demo', name: 'build' },
    { id: 'd4000000-0000-4000-8000-000000000002', project: 'demo', name: 'deploy-image' },
    { id: 'd4000000-0000-4000-8000-000000000003', project: 'platform', name: 'release' },
  ],
  gitWebhooks: GIT_WEBHOOKS,
  registryWebhooks: REGISTRY_WEBHOOKS,
};

const origin = (kind: 'git' | 'registry', webhook: { project: string; name: string; id: string }) => `Code Stream ${kind} webhook ${webhook.project}/${webhook.name} (id ${webhook.id})`;
const [readme, noDocs, mergeRequests, billing, gerrit] = GIT_WEBHOOKS as [SimulatedGitWebhook, SimulatedGitWebhook, SimulatedGitWebhook, SimulatedGitWebhook, SimulatedGitWebhook];
const [testhook, harborLibrary, harborApps, dtr, quay] = REGISTRY_WEBHOOKS as [
  SimulatedRegistryWebhook,
  SimulatedRegistryWebhook,
  SimulatedRegistryWebhook,
  SimulatedRegistryWebhook,
  SimulatedRegistryWebhook,
];

let simulator: CodeStreamSimulator;
let directory: string;
let config: string;
let secrets: string;

beforeAll(async () => {
  simulator = await startSimulator({ seed: SEED });
  directory = mkdtempSync(path.join(tmpdir(), 'relay-import-'));
  config = path.join(directory, 'relay.config.yaml');
  // The config's own URL is not the simulator's: --url points at it, as for local mode.
  writeFileSync(config, 'codestream:\n  url: https://vra.invalid\n  auth: refreshToken\n  secret: codestream/relay\n  apiVersion: "2019-10-17"\nsources: {}\nrules: []\n');
  secrets = path.join(directory, 'relay.secrets.json');
  writeFileSync(secrets, JSON.stringify({ 'codestream/relay': { refreshToken: REFRESH_TOKEN } }));
});

afterAll(async () => {
  await simulator.stop();
});

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

const importing = (...more: string[]) => relay('import', '--config', config, '--url', simulator.url, '--secrets', secrets, ...more);

function expectNoToken(...texts: string[]): void {
  for (const text of texts) for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
}

describe('relay import', () => {
  let run: { code: number; stdout: string; stderr: string };
  let rules: Map<string, Record<string, unknown>>;

  beforeAll(async () => {
    run = await importing();
    const { config: imported } = parseConfig(run.stdout, path.join(directory, 'imported.yaml'));
    rules = new Map(imported.rules.map((rule) => [rule.name, rule as unknown as Record<string, unknown>]));
  });

  it('exits 0 with a config on stdout that passes the relay’s checks, the codestream block copied', () => {
    expect(run.code).toBe(0);
    const { config: imported } = parseConfig(run.stdout, 'imported.yaml');
    expect(imported.codestream).toEqual({ url: 'https://vra.invalid', auth: 'refreshToken', secret: 'codestream/relay', apiVersion: '2019-10-17' });
    expect(imported.sources).toEqual({
      github: { provider: 'github', secrets: ['webhooks/github'] },
      gitlab: { provider: 'gitlab', secrets: ['webhooks/gitlab'] },
      'bitbucket-server': { provider: 'bitbucket-server', secrets: ['webhooks/bitbucket-server'], options: { serverUrl: 'https://bitbucket.example.com' } },
      dockerhub: { provider: 'dockerhub', secrets: ['webhooks/dockerhub'] },
      harbor: { provider: 'harbor', secrets: ['webhooks/harbor'] },
    });
    expect(imported.rules).toHaveLength(GIT_WEBHOOKS.length - 1 + 2);
  });

  it('reads every page of the Git webhooks, with the config’s apiVersion', () => {
    const lists = simulator.requests.filter((request) => request.endpoint === 'gitWebhooks.list' && request.status === 200).map((request) => request.query);
    expect(lists.slice(0, 2)).toEqual([
      { apiVersion: '2019-10-17', $top: '25', $skip: '0' },
      { apiVersion: '2019-10-17', $top: '25', $skip: '25' },
    ]);
    expect([...rules.keys()].filter((name) => name.startsWith('service-'))).toHaveLength(24);
  });

  it('maps a GitHub push webhook field by field: repository, branch, file filters, input and delay', () => {
    expect(rules.get('hello-world-readme')).toEqual({
      name: 'hello-world-readme',
      description: 'Builds README changes of Hello-World',
      when: {
        sources: ['github'],
        events: ['push'],
        repositories: ['Codertocat/Hello-World'],
        branches: ['master'],
        paths: {
          include: ['/^README\\.md$/', '/^docs/.*\\.adoc$/'],
          exclude: ['secrets/key.pem', '/\\.tmp$/'],
          prefer: 'exclude',
        },
      },
      pipeline: { project: 'demo', name: 'build' },
      input: { TARGET: 'staging' },
      quietPeriod: { minutes: 2 },
    });
    expect(rules.get('hello-world-no-docs')?.when).toEqual({
      sources: ['github'],
      events: ['push'],
      repositories: ['Codertocat/Hello-World'],
      branches: ['master'],
      paths: { exclude: ['/\\.md$/'], prefer: 'exclude' },
    });
  });

  it('maps a GitLab merge request webhook to pull requests into its branch, its input as literal text', () => {
    expect(rules.get('app-merge-requests')).toEqual({
      name: 'app-merge-requests',
      when: { sources: ['gitlab'], events: ['pull_request'], repositories: ['group/app'], targetBranches: ['main'] },
      pipeline: { project: 'platform', name: 'release' },
      input: { CHANNEL: '#deploys', COST: '$$5' },
    });
  });

  it('maps a Bitbucket webhook whose repoName is a URL to Data Center at that host', () => {
    expect(rules.get('billing-pushes')).toEqual({
      name: 'billing-pushes',
      when: { sources: ['bitbucket-server'], events: ['push'], repositories: ['/^bill/billing$/i'], branches: ['develop'] },
      pipeline: { project: 'demo', name: 'build' },
    });
  });

  it('maps registry webhooks: Docker Hub’s repository and tag pattern, Harbor’s project and image pattern', () => {
    expect(rules.get('testhook-latest')).toEqual({
      name: 'testhook-latest',
      description: 'Deploys the latest testhook image',
      when: { sources: ['dockerhub'], events: ['artifact_push'], images: ['svendowideit/testhook'], imageTags: ['/^latest$/'] },
      pipeline: { project: 'demo', name: 'deploy-image' },
      input: { REGION: 'eu-west-1' },
    });
    expect(rules.get('harbor-apps')).toEqual({
      name: 'harbor-apps',
      when: { sources: ['harbor'], events: ['artifact_push'], namespaces: ['apps'], images: ['/^apps/web-/'], imageTags: ['/^v[0-9]+/'] },
      pipeline: { project: 'demo', name: 'deploy-image' },
    });
  });

  it('puts the origin of each rule in a comment above it', () => {
    const commented = [...run.stdout.matchAll(/\n {2}# imported from (Code Stream (?:git|registry) webhook .*)\n {2}- name: (.*)\n/g)].map(([, from, name]) => [name, from]);
    expect(commented).toHaveLength(rules.size);
    expect(commented).toContainEqual(['hello-world-readme', origin('git', readme)]);
    expect(commented).toContainEqual(['billing-pushes', origin('git', billing)]);
    expect(commented).toContainEqual(['harbor-apps', origin('registry', harborApps)]);
  });

  it('reports on stderr each webhook not carried over, and why', () => {
    const skipped = run.stderr.split('\nnot carried over:\n')[1]?.split('\nnotes and next steps:\n')[0]?.split('\n');
    expect(skipped).toEqual([
      `  - ${origin('git', gerrit)}: server type "CODECOMMIT": the relay has no provider for it (its Git providers: github, gitlab, bitbucket-cloud, bitbucket-server, gitea, forgejo, azure-devops, gerrit)`,
      expect.stringMatching(new RegExp(`^  - ${escape(origin('registry', dtr))}: registry type "Docker_Trusted_Registry": the relay has no provider for it`)),
      expect.stringMatching(new RegExp(`^  - ${escape(origin('registry', harborLibrary))}: imageNameRegExPattern cannot be a pattern of the relay: .*lookahead`)),
      expect.stringMatching(new RegExp(`^  - ${escape(origin('registry', quay))}: disabled in Code Stream`)),
    ]);
    expect(run.stderr.split('\n')[0]).toBe(`relay import: 30 of ${GIT_WEBHOOKS.length + REGISTRY_WEBHOOKS.length} Code Stream webhooks imported as rules, on 5 sources; the config is on stdout`);
  });

  it('notes what has no equivalent, and what to do next: the secret, the sender’s webhook, retiring Code Stream’s', () => {
    const notes = run.stderr.split('\nnotes and next steps:\n')[1]?.trimEnd().split('\n') ?? [];
    const about = (webhook: { project: string; name: string; id: string }, kind: 'git' | 'registry' = 'git') => notes.filter((note) => note.startsWith(`  - ${origin(kind, webhook)}: `));
    expect(about(readme)).toEqual([
      expect.stringContaining('exclusions "\\.tmp$": carried over as written, and the relay finds a regular expression anywhere'),
      expect.stringContaining("input GIT_COMMIT_ID left out: empty in Code Stream, and the relay fills it from the event as Code Stream's trigger does"),
      expect.stringContaining("insecureSsl: the Git server was told not to verify Code Stream's certificate"),
      expect.stringContaining("it ran its pipeline with a Code Stream API token of its own (refreshToken, not printed); the relay runs every pipeline with codestream.secret's credential"),
    ]);
    expect(about(noDocs)).toEqual([expect.stringContaining('exclusions "\\.md$": carried over as written')]);
    expect(about(mergeRequests)).toEqual([expect.stringContaining('every pull request action (opened, updated, merged, closed); add when.actions')]);
    expect(about(billing)).toEqual([
      expect.stringContaining("it received events through Code Stream's listener codestream/api/git-webhook-listeners/173f5ed5-2197-4975-b782-a8679b2e4cd3"),
    ]);
    expect(about(testhook, 'registry')).toEqual([
      expect.stringContaining('input DOCKER_IMAGE_TAG left out'),
      expect.stringContaining('refreshToken, not printed'),
    ]);
    expect(notes).toContain(
      '  - source github: create the Secrets Manager secret webhooks/github (plain text) holding the secret token of the Code Stream webhooks it replaces (GET /codestream/api/git-webhooks/{id} serves it as secretToken; relay import prints no token)',
    );
    expect(notes).toContainEqual(expect.stringMatching(/^ {2}- source github: on GitHub, add a webhook to Codertocat\/Hello-World, acme\/service-01, .* with the relay's URL …\/hooks\/github \(stack output WebhookUrlgithub\) and that secret/));
    expect(notes).toContainEqual(expect.stringMatching(/^ {2}- source github: once the relay's webhooks deliver, delete the Code Stream webhooks it replaces \(.*\); Code Stream then deletes the webhooks it made on the Git server \(ids 192837466, 192837465\)/));
    expect(notes).toContain(
      "  - source harbor: on Harbor, registry endpoint \"Harbor-Prod\", point the webhook for apps at the relay's URL …/hooks/harbor (stack output WebhookUrlharbor) instead of Code Stream's, with that secret where docs/deploy.md §11 says for harbor",
    );
  });

  it('never prints a secret token or the webhooks’ API token, even one pasted into a description', () => {
    expectNoToken(run.stdout, run.stderr);
    expect(rules.get('service-24')?.description).toBe('token was [redacted], ask ops');
    expect(run.stderr).toContain(
      '  - a credential Code Stream served with the webhooks appeared in a description or name, and is replaced by [redacted] wherever it appeared\n',
    );
  });

  it('the imported rules decide a real GitHub push as the webhooks would: README.md included, and excluded where .md is', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'relay-import-out-')), 'imported.yaml');
    expect((await importing('--out', out)).code).toBe(0);
    const fixture = path.join(__dirname, '../../fixtures/webhooks/github/push.branch-created');
    const { code, stdout } = await relay('test', '--config', out, '--source', 'github', '--body', `${fixture}.json`, '--headers', `${fixture}.headers.json`, '--json');
    expect(code).toBe(0);
    const { decisions } = JSON.parse(stdout) as { decisions: { rule: string; matched: boolean; reason: string | null; request: { input: Record<string, string> } | null }[] };
    const decision = (name: string) => decisions.find((each) => each.rule === name);
    expect(decision('hello-world-readme')).toMatchObject({ matched: true, request: { input: { TARGET: 'staging', GIT_COMMIT_ID: expect.stringMatching(/^[0-9a-f]{40}$/) } } });
    expect(decision('hello-world-no-docs')).toMatchObject({ matched: false, reason: 'when.paths: changed file "README.md" is excluded (/\\.md$/)' });
  });
});

describe('relay import --out and --json', () => {
  it('--out writes the file, and stdout stays empty; an existing file is not overwritten (exit 1)', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'relay-import-out-')), 'imported.yaml');
    const first = await importing('--out', out);
    expect({ code: first.code, stdout: first.stdout }).toEqual({ code: 0, stdout: '' });
    expect(first.stderr.split('\n')[0]).toMatch(new RegExp(`; the config is written to ${escape(out)}$`));
    const written = readFileSync(out, 'utf8');
    expect(parseConfig(written, out).config.rules).toHaveLength(30);
    expectNoToken(written, first.stderr);
    const again = await importing('--out', out);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `cannot write the imported config to ${out}: it exists; choose another --out, or move it away first\n` });
    expect(readFileSync(out, 'utf8')).toBe(written);
  });

  it('exits 1 when the output cannot be written', async () => {
    const out = path.join(directory, 'no-such-directory', 'imported.yaml');
    const { code, stdout, stderr } = await importing('--out', out, '--json');
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ error: 'unwritable_file', message: `cannot write the imported config to ${out}: ENOENT` });
    expect(existsSync(out)).toBe(false);
  });

  it('--json prints the config, what was imported, what was skipped and the notes as one object', async () => {
    const { code, stdout, stderr } = await importing('--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(stdout) as { config: string; imported: { origin: string; rule: string; source: string }[]; skipped: { origin: string; reason: string }[]; notes: string[] };
    expect(Object.keys(result)).toEqual(['config', 'imported', 'skipped', 'notes']);
    expect(parseConfig(result.config, 'imported.yaml').config.rules).toHaveLength(30);
    expect(result.imported).toContainEqual({ origin: origin('git', readme), rule: 'hello-world-readme', source: 'github' });
    expect(result.imported).toContainEqual({ origin: origin('registry', testhook), rule: 'testhook-latest', source: 'dockerhub' });
    expect(result.skipped.map((entry) => entry.origin)).toEqual([origin('git', gerrit), origin('registry', dtr), origin('registry', harborLibrary), origin('registry', quay)]);
    expect(result.notes).toContainEqual(expect.stringMatching(/^source gitlab: create the Secrets Manager secret webhooks\/gitlab/));
    expectNoToken(stdout);
  });

  it('--json with --out gives the file instead of the config', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'relay-import-out-')), 'imported.yaml');
    const { code, stdout } = await importing('--out', out, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['out', 'imported', 'skipped', 'notes']);
    expect(result.out).toBe(out);
  });
});

describe('relay import when Code Stream cannot be read, or nothing can be imported', () => {
  it('exits 2 when Code Stream refuses the credential', async () => {
    const wrong = path.join(directory, 'wrong.secrets.json');
    writeFileSync(wrong, JSON.stringify({ 'codestream/relay': { refreshToken: 'not-the-refresh-token' } }));
    const { code, stdout, stderr } = await relay('import', '--config', config, '--url', simulator.url, '--secrets', wrong);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^Code Stream at ${escape(simulator.url)} refused the credential: .+\\n$`));
    expect(stderr).not.toContain('not-the-refresh-token');
    const json = await relay('import', '--config', config, '--url', simulator.url, '--secrets', wrong, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: 'codestream_refused' });
  });

  it('exits 2 when Code Stream cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await relay('import', '--config', config, '--url', url, '--secrets', secrets, '--json');
    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ error: 'codestream_unreachable', message: expect.stringMatching(new RegExp(`^cannot read the webhooks from Code Stream at ${escape(url)}: `)) });
  });

  it('exits 1 when no webhook can be imported, saying why for each, still without a token', async () => {
    const bare = await startSimulator({ seed: { ...SEED, gitWebhooks: [gerrit], registryWebhooks: [dtr, quay] } });
    try {
      const { code, stdout, stderr } = await relay('import', '--config', config, '--url', bare.url, '--secrets', secrets);
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr.split('\n')).toEqual([
        `none of the 3 Code Stream webhooks at ${bare.url} could be imported:`,
        expect.stringMatching(new RegExp(`^  - ${escape(origin('git', gerrit))}: server type "CODECOMMIT"`)),
        expect.stringMatching(new RegExp(`^  - ${escape(origin('registry', dtr))}: registry type "Docker_Trusted_Registry"`)),
        expect.stringMatching(new RegExp(`^  - ${escape(origin('registry', quay))}: disabled in Code Stream`)),
        '',
      ]);
      expectNoToken(stderr);
    } finally {
      await bare.stop();
    }
  });

  it('exits 1 when Code Stream has no webhooks at all', async () => {
    const bare = await startSimulator({ seed: { ...SEED, gitWebhooks: [], registryWebhooks: [] } });
    try {
      const { code, stdout } = await relay('import', '--config', config, '--url', bare.url, '--secrets', secrets, '--json');
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual({ error: 'nothing_imported', message: `Code Stream at ${bare.url} has no Git or registry webhooks to import` });
    } finally {
      await bare.stop();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
}
