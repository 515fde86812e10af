import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDeliveryHistory } from '../../../cli/history/DeliveryHistory';
import { main } from '../../../cli/main';
import type { DeliveryHistoryReader } from '../../../cli/history/DeliveryQuery';
import type { ReportingProvider } from '../../../lambda/status/CommitStatus';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import type { LocalRelay } from '../../../local/LocalRelay';
import { forgejoDelivery } from '../../support/authenticationCases';
import { GitStatusStub } from '../../support/GitStatusStub';
import { inProcessRelay } from '../../support/inProcessRelay';
import { SEED } from '../../support/simulatorFixture';
import { until } from '../../support/until';
import { TEST_SECRET, fixture } from '../../support/webhookFixtures';

const COMPLETES = { id: 'c0a1b2c3-0000-4000-8000-00000000c0de', project: 'demo', name: 'completes', run: { seconds: 1, ends: 'COMPLETED' as const } };
const FAILS = { id: 'f0a1b2c3-0000-4000-8000-00000000fa11', project: 'demo', name: 'fails', run: { seconds: 1, ends: 'FAILED' as const, statusMessage: "Task 'deploy' failed." } };

/** Each provider's push (a pull request for Bitbucket Data Center, whose push fixture deletes a branch), signed with TEST_SECRET. */
const DELIVERIES: Record<ReportingProvider, () => WebhookRequest> = {
  github: () => fixture('github/push.branch-created'),
  gitlab: () => fixture('gitlab/push'),
  'bitbucket-cloud': () => fixture('bitbucket-cloud/repo_push.branch'),
  'bitbucket-server': () => fixture('bitbucket-server/pr_opened'),
  gitea: () => fixture('gitea/push'),
  forgejo: () => forgejoDelivery('gitea/push'),
};

/** What each provider's status endpoint receives for our pending and success, and where the state is. */
const STATES: Record<ReportingProvider, { field: string; pending: string; success: string; failure: string }> = {
  github: { field: 'state', pending: 'pending', success: 'success', failure: 'failure' },
  gitlab: { field: 'state', pending: 'running', success: 'success', failure: 'failed' },
  'bitbucket-cloud': { field: 'state', pending: 'INPROGRESS', success: 'SUCCESSFUL', failure: 'FAILED' },
  'bitbucket-server': { field: 'state', pending: 'INPROGRESS', success: 'SUCCESSFUL', failure: 'FAILED' },
  gitea: { field: 'state', pending: 'pending', success: 'success', failure: 'failure' },
  forgejo: { field: 'state', pending: 'pending', success: 'success', failure: 'failure' },
};

const PROVIDERS = Object.keys(DELIVERIES) as ReportingProvider[];

/** The field naming the ref, and its value for each delivery above, where the provider takes one. */
const REFS: Partial<Record<ReportingProvider, [string, string]>> = {
  gitlab: ['ref', 'master'],
  'bitbucket-cloud': ['refname', 'master'],
  'bitbucket-server': ['ref', 'refs/heads/feature/wip'],
};

let stub: GitStatusStub;
let simulator: CodeStreamSimulator;
let relay: LocalRelay;
let url: string;
let dir: string;
let history: DeliveryHistoryReader;
const printed: string[] = [];

beforeAll(async () => {
  stub = await GitStatusStub.start();
  // GitLab's first two posts fail with 503; Forgejo's token is refused, always.
  stub.script({ route: 'gitlab', status: 503, times: 2 }, { route: 'forgejo', status: 401 });
  simulator = new CodeStreamSimulator({ seed: { ...SEED, pipelines: [...SEED.pipelines, COMPLETES, FAILS] } });
  await simulator.start();
  dir = mkdtempSync(path.join(tmpdir(), 'relay-reporting-'));
  relay = inProcessRelay({
    dir,
    codestreamUrl: simulator.url,
    webhookSecret: TEST_SECRET,
    sources: PROVIDERS.map((provider) => `  ${provider}: { provider: ${provider}, secrets: [webhooks/${provider}], report: { secret: status/${provider}, apiUrl: "${stub.apiUrl(provider)}" } }`).join('\n'),
    secrets: Object.fromEntries(PROVIDERS.flatMap((provider) => [[`webhooks/${provider}`, TEST_SECRET], [`status/${provider}`, `status-token-of-${provider}`]])),
    rules: [
      ...PROVIDERS.map((provider) => `  - { name: build-${provider}, when: { sources: [${provider}] }, pipeline: { id: ${COMPLETES.id} }, report: true }`),
      `  - { name: deploy, when: { sources: [github] }, pipeline: { id: ${FAILS.id} }, report: { context: ci/deploy } }`,
      `  - { name: silent, when: { sources: [github] }, pipeline: { id: ${COMPLETES.id} } }`,
    ].join('\n'),
    env: { MAX_RECEIVE_COUNT: '3', RETRY_BASE_SECONDS: '1', RETRY_MAX_SECONDS: '1', REPORT_FIRST_CHECK_SECONDS: '1' },
    print: (line) => printed.push(line),
  });
  url = (await relay.start()).url;
  history = openDeliveryHistory({ 'state-dir': path.join(dir, 'state') });
  for (const provider of PROVIDERS) {
    const delivery = DELIVERIES[provider]();
    const response = await fetch(`${url}/hooks/${provider}`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    expect([provider, response.status]).toEqual([provider, 202]);
  }
}, 60_000);

afterAll(async () => {
  history?.close();
  await relay?.stop();
  await simulator?.stop();
  await stub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The states a provider's endpoint received for a status context, in order. */
function statesOf(provider: ReportingProvider, context?: string): string[] {
  return stub
    .requestsOf(provider)
    .filter((request) => request.method === 'POST')
    .map((request) => request.body as Record<string, unknown>)
    .filter((body) => context === undefined || [body.context, body.name, body.key].includes(context))
    .map((body) => String(body[STATES[provider].field]));
}

describe('commit statuses, through local mode, the simulator and each Git server’s API', () => {
  it.each(PROVIDERS.filter((provider) => provider !== 'forgejo'))('%s: pending when the execution starts, success when it completes, with its link', async (provider) => {
    const { pending, success } = STATES[provider];
    const context = `codestream/build-${provider}`;
    await until(() => statesOf(provider, context).includes(success), 30_000, () => `${JSON.stringify(stub.requestsOf(provider).map((request) => request.body))}\n${printed.join('\n')}`);
    // GitLab's first two answers were 503: its pending is posted a third time, then its success.
    expect(statesOf(provider, context)).toEqual(provider === 'gitlab' ? [pending, pending, pending, success] : [pending, success]);
    const [execution] = simulator.executions.filter((candidate) => candidate.pipelineId === COMPLETES.id && candidate.tags.includes(`rule:build-${provider}`));
    const last = stub.requestsOf(provider).filter((request) => JSON.stringify(request.body).includes(success) && JSON.stringify(request.body).includes(`build-${provider}`)).at(-1);
    expect(JSON.stringify(last?.body)).toContain(`${simulator.url}/codestream/api/executions/${execution?.id}`);
    expect(JSON.stringify(last?.headers)).toContain(`status-token-of-${provider}`);
    // GitLab and Bitbucket tie the status to the ref the event was about.
    const ref = REFS[provider];
    if (ref) expect((last?.body as Record<string, unknown>)[ref[0]]).toBe(ref[1]);
  });

  it('a failed execution is a failure, under the rule’s own context; a rule without report posts nothing', async () => {
    await until(() => statesOf('github', 'ci/deploy').includes('failure'), 30_000, () => printed.join('\n'));
    expect(statesOf('github', 'ci/deploy')).toEqual(['pending', 'failure']);
    const failure = stub.requestsOf('github').map((request) => request.body as Record<string, string>).find((body) => body.state === 'failure');
    // The rule names its pipeline by id; the end's status names it as Code Stream does.
    expect(failure?.description).toBe("Code Stream demo/fails #1: failed: Task 'deploy' failed.");
    expect(statesOf('github', 'codestream/silent')).toEqual([]);
  });

  it('a status the Git server refuses is recorded, with why, beside the rule’s decision; the execution is untouched', async () => {
    let report: unknown;
    await until(async () => {
      const record = await history.get(`forgejo/${DELIVERIES.forgejo().headers['x-gitea-delivery']}`);
      report = record?.decisions?.find((decision) => decision.rule === 'build-forgejo')?.report;
      return (report as { state?: string } | undefined)?.state === 'success';
    }, 30_000, () => `${JSON.stringify(report)}\n${printed.join('\n')}`);
    expect(report).toMatchObject({ context: 'codestream/build-forgejo', state: 'success', posted: false, reason: expect.stringMatching(/401/) });
    expect(JSON.stringify(report)).not.toContain('status-token-of-forgejo');
    expect(printed.some((line) => line.includes('Commit status not posted') && line.includes('build-forgejo'))).toBe(true);
    expect(simulator.executions.filter((execution) => execution.tags.includes('rule:build-forgejo'))).toHaveLength(1);
  });

  it('the delivery log shows each posted status beside its decision', async () => {
    const github = await history.get(`github/${DELIVERIES.github().headers['x-github-delivery']}`);
    const byRule = Object.fromEntries((github?.decisions ?? []).map((decision) => [decision.rule, decision]));
    expect(byRule['build-github']?.report).toMatchObject({ state: 'success', posted: true });
    expect(byRule.deploy?.report).toMatchObject({ state: 'failure', posted: true, context: 'ci/deploy' });
    expect(byRule.silent?.report).toBeUndefined();
    const shown: string[] = [];
    const io = { stdout: { write: (text: string) => shown.push(text) }, stderr: { write: (text: string) => shown.push(text) } };
    expect(await main(['deliveries', 'show', `github/${DELIVERIES.github().headers['x-github-delivery']}`, '--state-dir', path.join(dir, 'state')], io)).toBe(0);
    expect(shown.join('')).toMatch(/commit status\s+ci\/deploy: failure, posted/);
  });
});
