import { gitWebhookRule } from '../../../../cli/import/gitWebhookRule';
import type { MappedWebhook, NativeWebhook } from '../../../../cli/import/nativeWebhook';
import { compileConditions } from '../../../../lambda/rules/conditions';

const BASE: NativeWebhook = {
  id: '5b8d1f3e-9c2a-4e7b-a1d6-3f0e8c9b2a55',
  name: 'hello-world-main',
  project: 'demo',
  pipeline: 'build',
  serverType: 'GITHUB',
  repoName: 'Codertocat/Hello-World',
  branchName: 'main',
  eventCategory: 'PUSH',
  _link: '/codestream/api/git-webhooks/5b8d1f3e-9c2a-4e7b-a1d6-3f0e8c9b2a55',
  createdAt: '2019-09-16 09:25:38.065065+00',
};

function mapped(webhook: NativeWebhook): MappedWebhook {
  const mapping = gitWebhookRule(webhook);
  if (!('mapped' in mapping)) throw new Error(`skipped: ${mapping.skipped.reason}`);
  return mapping.mapped;
}

function skipped(webhook: NativeWebhook): string {
  const mapping = gitWebhookRule(webhook);
  if (!('skipped' in mapping)) throw new Error('imported');
  return mapping.skipped.reason;
}

describe('gitWebhookRule', () => {
  it('maps a push webhook field by field, and says nothing of bookkeeping fields', () => {
    const { origin, server, rule, notes, watches } = mapped({ ...BASE, description: 'Builds main', delayTimeInMins: 2, input: { TARGET: 'prod' } });
    expect(origin).toEqual({
      kind: 'git',
      project: 'demo',
      name: 'hello-world-main',
      id: BASE.id,
      text: `Code Stream git webhook demo/hello-world-main (id ${String(BASE.id)})`,
    });
    expect(server).toMatchObject({ provider: 'github', name: 'github' });
    expect(rule).toEqual({
      description: 'Builds main',
      when: { events: ['push'], repositories: ['Codertocat/Hello-World'], branches: ['main'] },
      pipeline: { project: 'demo', name: 'build' },
      input: { TARGET: 'prod' },
      quietPeriod: { minutes: 2 },
    });
    expect(notes).toEqual([]);
    expect(watches).toBe('Codertocat/Hello-World');
  });

  it('a pull request webhook matches the target branch, and says every action matches', () => {
    for (const eventCategory of ['PULL_REQUEST', 'MERGE_REQUEST', 'pull request']) {
      const { rule, notes } = mapped({ ...BASE, serverType: 'GITLAB', repoName: 'group/app', eventCategory });
      expect(rule.when).toEqual({ events: ['pull_request'], repositories: ['group/app'], targetBranches: ['main'] });
      expect(notes).toEqual([expect.stringContaining('every pull request action (opened, updated, merged, closed); add when.actions')]);
    }
  });

  it('carries plain file filters as whole paths and REGEX ones as written, with prioritizeExclusion as prefer', () => {
    const { rule, notes } = mapped({
      ...BASE,
      inclusions: [
        { type: 'PLAIN', value: 'src/main/App.java' },
        { type: 'PLAIN', value: 'pom.xml' },
        { type: 'REGEX', value: '^build/.*\\.gradle$' },
      ],
      exclusions: [{ type: 'REGEX', value: '\\.md$' }, { type: 'PLAIN', value: 'docs/[draft].txt' }],
      prioritizeExclusion: true,
    });
    expect(rule.when?.paths).toEqual({
      include: ['src/main/App.java', '/^pom\\.xml$/', '/^build/.*\\.gradle$/'],
      exclude: ['/\\.md$/', '/^docs/\\[draft\\]\\.txt$/'],
      prefer: 'exclude',
    });
    expect(notes).toEqual([expect.stringMatching(/^exclusions "\\\.md\$": carried over as written.*add \^ and \$$/)]);
  });

  it('the imported paths decide as Code Stream’s filter: a push of only excluded files, or of a top-level file of the same name, does not count', () => {
    const { rule } = mapped({
      ...BASE,
      inclusions: [{ type: 'PLAIN', value: 'pom.xml' }],
      exclusions: [{ type: 'REGEX', value: '\\.md$' }],
      prioritizeExclusion: false,
    });
    expect(rule.when?.paths?.prefer).toBe('include');
    const [paths] = compileConditions({ paths: rule.when?.paths }).conditions;
    const push = (modified: string[]) => paths?.test({ event: { git: { changedFiles: { added: [], modified, removed: [] } } }, body: {}, headers: {}, query: {} } as never);
    expect(push(['pom.xml', 'README.md'])).toBeUndefined();
    expect(push(['module/pom.xml'])).toMatch(/no changed file matches/);
  });

  it('prioritizeExclusion absent is false, Code Stream’s default: prefer include; without exclusions there is nothing to prefer', () => {
    expect(mapped({ ...BASE, exclusions: [{ type: 'PLAIN', value: 'docs/a.md' }] }).rule.when?.paths).toEqual({ exclude: ['docs/a.md'], prefer: 'include' });
    expect(mapped({ ...BASE, inclusions: [{ type: 'PLAIN', value: 'src/a.js' }], prioritizeExclusion: true }).rule.when?.paths).toEqual({ include: ['src/a.js'] });
  });

  it('says that a plain directory is carried over as one path', () => {
    expect(mapped({ ...BASE, inclusions: [{ type: 'PLAIN', value: 'src/' }] }).notes).toEqual([
      'inclusions PLAIN "src/" is carried over as one file\'s whole path; if it meant the files below that directory, write "src/**"',
    ]);
  });

  it('anchors names with pattern characters, and matches Bitbucket Data Center repositories whatever their case', () => {
    expect(mapped({ ...BASE, branchName: 'release/*' }).rule.when?.branches).toEqual(['/^release/\\*$/']);
    const bitbucket = mapped({ ...BASE, serverType: 'BITBUCKET_SERVER', repoName: 'https://bitbucket.example.com/scm/prj/repo.git' });
    expect(bitbucket.rule.when?.repositories).toEqual(['/^prj/repo$/i']);
    expect(bitbucket.server).toMatchObject({ provider: 'bitbucket-server', serverUrl: 'https://bitbucket.example.com' });
  });

  it('without repository or branch, the rule matches every one, and says so', () => {
    const { rule, notes } = mapped({ ...BASE, repoName: '', branchName: undefined });
    expect(rule.when).toEqual({ events: ['push'] });
    expect(notes).toEqual([expect.stringContaining('add when.repositories'), expect.stringContaining('add when.branches')]);
  });

  it('leaves out empty native inputs, keeps fixed ones with a note, and doubles $ (inputs are templates)', () => {
    const { rule, notes } = mapped({ ...BASE, input: { GIT_BRANCH_NAME: 'main', GIT_COMMIT_ID: '', PRICE: '$5 ${not.a.template}', COUNT: 3, META: { description: 'x' } } });
    expect(rule.input).toEqual({ GIT_BRANCH_NAME: 'main', PRICE: '$$5 $${not.a.template}', COUNT: '3' });
    expect(notes).toEqual([
      'input GIT_BRANCH_NAME has the fixed value "main", which the relay sends instead of the value it reads from the event; remove it from input to send the event\'s',
      'input META is left out: its value is an object, and pipeline inputs are text',
      "input GIT_COMMIT_ID left out: empty in Code Stream, and the relay fills it from the event as Code Stream's trigger does",
    ]);
  });

  it('notes settings the relay does without: insecureSsl, the listener, the webhook’s own API token, unknown fields, never a value', () => {
    const { notes, serverWebhookId, secretFingerprint } = mapped({
      ...BASE,
      insecureSsl: true,
      externalListenerLink: 'codestream/api/git-webhook-listeners/173f5ed5',
      refreshToken: 'refresh-TOKEN-value',
      secretToken: 'secret-TOKEN-value',
      serverWebhookId: 192837465,
      endpoint: 'GitHub-SaaS',
      apiKey: 'key-VALUE',
    });
    expect(notes).toEqual([
      expect.stringMatching(/^insecureSsl: the Git server was told not to verify/),
      expect.stringMatching(/^it ran its pipeline with a Code Stream API token of its own \(refreshToken, not printed\)/),
      expect.stringMatching(/^it received events through Code Stream's listener codestream\/api\/git-webhook-listeners\/173f5ed5/),
      "not carried over: apiKey, which the swagger's GitWebhook does not define",
    ]);
    expect(JSON.stringify(notes)).not.toMatch(/VALUE|TOKEN/);
    expect(serverWebhookId).toBe('192837465');
    expect(secretFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(secretFingerprint).not.toContain('secret');
  });

  it.each([
    ['an unknown server type', { serverType: 'CODECOMMIT' }, /^server type "CODECOMMIT": the relay has no provider for it/],
    ['an unknown event category', { eventCategory: 'TAG' }, /^event category "TAG": the importer maps PUSH to push and PULL_REQUEST \/ MERGE_REQUEST to pull_request/],
    ['no event category', { eventCategory: undefined }, /^it has no eventCategory/],
    ['no pipeline', { pipeline: undefined }, /^it names no pipeline$/],
    ['disabled', { enabled: false }, /^disabled in Code Stream; a relay rule has no disabled state/],
    ['a regex RE2 cannot run', { inclusions: [{ type: 'REGEX', value: '(?<!test)/main\\.go' }] }, /^inclusions REGEX "\(\?<!test\)\/main\\\.go" cannot be a pattern of the relay: .*lookbehind/],
    ['an unknown filter type', { inclusions: [{ type: 'GLOB', value: 'src/**' }] }, /^inclusions has a filter of type "GLOB"; the swagger's are PLAIN and REGEX$/],
    ['file filters on pull requests', { eventCategory: 'PULL_REQUEST', inclusions: [{ type: 'PLAIN', value: 'src/a.js' }] }, /pull requests: the relay reads changed files from pushes only/],
    ['file filters on Bitbucket', { serverType: 'BITBUCKET_CLOUD', inclusions: [{ type: 'PLAIN', value: 'src/a.js' }] }, /which bitbucket-cloud's pushes do not list/],
  ])('skips a webhook with %s, saying why', (_label, changes, reason) => {
    expect(skipped({ ...BASE, ...changes })).toMatch(reason);
  });

  it('takes a pipeline by id when the webhook has no project and names it by id', () => {
    const { rule, origin } = mapped({ ...BASE, project: undefined, pipeline: '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11' });
    expect(rule.pipeline).toEqual({ id: '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11' });
    expect(origin.text).toBe(`Code Stream git webhook hello-world-main (id ${String(BASE.id)})`);
    expect(skipped({ ...BASE, project: undefined })).toBe('its pipeline "build" belongs to no project');
  });

  it('a delay of 0 is none; a delay that is no whole number is noted', () => {
    expect(mapped({ ...BASE, delayTimeInMins: 0 }).rule.quietPeriod).toBeUndefined();
    const { rule, notes } = mapped({ ...BASE, delayTimeInMins: 'soon' });
    expect(rule.quietPeriod).toBeUndefined();
    expect(notes).toEqual(['delayTimeInMins "soon" is not a whole number of minutes: the rule starts its pipeline without delay']);
  });
});
