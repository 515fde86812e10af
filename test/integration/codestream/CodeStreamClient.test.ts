import { CodeStreamClient, type CodeStreamClientOptions } from '../../../lambda/codestream/CodeStreamClient';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { API_TOKEN, PIPELINES, REFRESH_TOKEN, fixedCredentials, startSimulator } from '../../support/simulatorFixture';
import { freePort } from '../../support/freePort';

const REQUEST = { comments: 'push to main by alice', input: { GIT_BRANCH_NAME: 'main' }, tags: ['relay'] };

let simulator: CodeStreamSimulator;

afterEach(async () => {
  await simulator?.stop();
});

function clientFor(options: Partial<CodeStreamClientOptions> = {}): CodeStreamClient {
  return new CodeStreamClient({
    baseUrl: simulator.url,
    auth: { flow: 'refreshToken' },
    credentials: fixedCredentials({ refreshToken: REFRESH_TOKEN, apiToken: API_TOKEN }),
    timeoutMs: 2_000,
    ...options,
  });
}

describe('created', () => {
  it.each([202, 200] as const)('returns the execution id, index and absolute link when Code Stream answers %i', async (status) => {
    simulator = await startSimulator({ executeStatus: status });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);

    const [execution] = simulator.executions;
    expect(outcome).toMatchObject({
      kind: 'created',
      stage: 'execute',
      status,
      executionId: execution?.id,
      executionIndex: 1,
      executionLink: `${simulator.url}/codestream/api/executions/${execution?.id}`,
    });
    expect(execution).toMatchObject({
      pipelineId: PIPELINES.build.id,
      comments: REQUEST.comments,
      tags: ['relay'],
      input: { GIT_BRANCH_NAME: 'main', GIT_COMMIT_ID: '' },
      _executedBy: 'relay',
    });
  });

  it('executes by project and name, encoding each path segment', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    const first = await client.execute({ project: 'Platform Team', name: 'build & test' }, REQUEST);
    const second = await client.execute({ project: 'Platform Team', name: 'build & test' }, REQUEST);

    expect(first).toMatchObject({ kind: 'created', executionIndex: 1 });
    expect(second).toMatchObject({ kind: 'created', executionIndex: 2 });
    expect(simulator.requests.filter((r) => r.endpoint === 'execute.byName').map((r) => r.path)).toEqual([
      '/codestream/api/pipelines/Platform%20Team/build%20%26%20test/executions',
      '/codestream/api/pipelines/Platform%20Team/build%20%26%20test/executions',
    ]);
    expect(simulator.executions.every((e) => e.pipelineId === PIPELINES.spaced.id)).toBe(true);
  });

  it('sends apiVersion as a query parameter when configured', async () => {
    simulator = await startSimulator();
    await clientFor({ apiVersion: '2019-10-17' }).execute({ id: PIPELINES.build.id }, REQUEST);
    await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);

    const queries = simulator.requests.filter((r) => r.endpoint === 'execute.byId').map((r) => r.query);
    expect(queries).toEqual([{ apiVersion: '2019-10-17' }, {}]);
  });

  it('keeps a base URL path prefix in the execute URL and the execution link', async () => {
    simulator = await startSimulator();
    const client = clientFor({ baseUrl: `${simulator.url}/` });
    expect(client.executionsUrl({ id: 'p 1' })).toBe(`${simulator.url}/codestream/api/pipelines/p%201/executions`);
    const outcome = await client.execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome.kind === 'created' && outcome.executionLink?.startsWith(`${simulator.url}/codestream/api/executions/`)).toBe(true);
  });
});

describe('retryable', () => {
  it.each([500, 502, 503, 504])('classifies %i as retryable, keeping the status and a snippet of the body', async (status) => {
    simulator = await startSimulator({ faults: { script: [{ kind: 'status', status, body: `{"message":"down for ${status}"}` }] } });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toEqual({
      kind: 'retryable',
      stage: 'execute',
      cause: 'status',
      status,
      retryAfterMs: undefined,
      reason: `Code Stream answered ${status} for pipeline ${PIPELINES.build.id}`,
      snippet: `{"message":"down for ${status}"}`,
    });
    expect(simulator.executions).toHaveLength(0);
  });

  it('reads Retry-After given in seconds', async () => {
    simulator = await startSimulator({ faults: { script: [{ kind: 'status', status: 429, retryAfter: '7' }] } });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 7_000 });
    expect(outcome.reason).toContain('it asked to retry after 7 s');
  });

  it('reads Retry-After given as an HTTP-date, against the client clock', async () => {
    const now = Date.parse('2026-11-28T10:00:00Z');
    simulator = await startSimulator({
      faults: { script: [{ kind: 'status', status: 503, retryAfter: 'Sat, 28 Nov 2026 10:01:30 GMT' }] },
    });
    const outcome = await clientFor({ now: () => now }).execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'retryable', status: 503, retryAfterMs: 90_000 });
  });

  it('classifies an answer slower than the timeout as a retryable timeout', async () => {
    simulator = await startSimulator({ faults: { script: [{ kind: 'slow', delayMs: 2_000 }] } });
    const outcome = await clientFor({ timeoutMs: 150 }).execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'retryable', stage: 'execute', cause: 'timeout' });
    expect(outcome.reason).toBe(`no answer from Code Stream within 150 ms (executing pipeline ${PIPELINES.build.id})`);
  });

  it('ends a call at the invocation’s deadline when that comes before its own timeout, as an unanswered call', async () => {
    simulator = await startSimulator({ faults: { script: [{ kind: 'slow', delayMs: 2_000 }] } });
    const outcome = await clientFor({ timeoutMs: 10_000 }).execute({ id: PIPELINES.build.id }, REQUEST, { endsAt: Date.now() + 300 });
    expect(outcome).toMatchObject({ kind: 'retryable', stage: 'execute', cause: 'timeout', maybeProcessed: true });
    expect(outcome.reason).toMatch(new RegExp(`^no answer from Code Stream within (2\\d\\d|300) ms \\(executing pipeline ${PIPELINES.build.id}\\)$`));
  });

  it('classifies a connection reset as a retryable connection error', async () => {
    simulator = await startSimulator({ faults: { script: [{ kind: 'reset' }] } });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'retryable', stage: 'execute', cause: 'connection' });
    expect(outcome.reason).toMatch(/failed with (ECONNRESET|ERR_BAD_RESPONSE|EPIPE)/);
  });

  it('classifies a refused connection as retryable, at the login', async () => {
    simulator = await startSimulator();
    const port = await freePort();
    const outcome = await clientFor({ baseUrl: `http://127.0.0.1:${port}` }).execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'retryable', stage: 'login', cause: 'connection' });
    expect(outcome.reason).toContain('ECONNREFUSED');
  });

  it('classifies a login answering 503 as retryable, with its Retry-After', async () => {
    simulator = await startSimulator({ faults: { on: ['login'], script: [{ kind: 'status', status: 503, retryAfter: '3' }] } });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'retryable', stage: 'login', status: 503, retryAfterMs: 3_000 });
    expect(simulator.count('execute.byId')).toBe(0);
  });

  it('tries the login again on the next call after a failed one', async () => {
    simulator = await startSimulator({ faults: { on: ['login'], script: [{ kind: 'status', status: 502 }] } });
    const client = clientFor();
    expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'retryable' });
    expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
    expect(simulator.count('login.refreshToken')).toBe(2);
  });
});

describe('unauthorized', () => {
  it('renews the token once on a 401 and succeeds with the new one', async () => {
    simulator = await startSimulator();
    const credentials = fixedCredentials({ refreshToken: REFRESH_TOKEN });
    const client = clientFor({ credentials });
    await client.execute({ id: PIPELINES.build.id }, REQUEST);
    simulator.expireTokens();

    const outcome = await client.execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'created', executionIndex: 2 });
    expect(simulator.requests.map((r) => `${r.endpoint} ${r.status}`)).toEqual([
      'login.refreshToken 200',
      'execute.byId 202',
      'execute.byId 401',
      'login.refreshToken 200',
      'execute.byId 202',
    ]);
    // The renewal re-reads the credential, in case it was rotated.
    expect(credentials.reads).toEqual([{ fresh: false }, { fresh: true }]);
  });

  it('gives up after one renewal when Code Stream answers 401 again', async () => {
    simulator = await startSimulator({
      faults: { script: [{ kind: 'status', status: 401 }, { kind: 'status', status: 401, body: '{"message":"nope"}' }] },
    });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'unauthorized', stage: 'execute', status: 401, snippet: '{"message":"nope"}' });
    expect(simulator.count('login.refreshToken')).toBe(2);
    expect(simulator.count('execute.byId')).toBe(2);
  });

  it('reports a refused on-premises login as unauthorized without calling execute', async () => {
    simulator = await startSimulator();
    const outcome = await clientFor({ credentials: fixedCredentials({ refreshToken: 'revoked-refresh-token' }) }).execute(
      { id: PIPELINES.build.id },
      REQUEST,
    );
    expect(outcome).toMatchObject({ kind: 'unauthorized', stage: 'login', status: 400 });
    expect(outcome.reason).toContain('check the "refreshToken" credential');
    expect(outcome.snippet).toContain('Invalid refresh token');
    expect(simulator.count('execute.byId')).toBe(0);
  });

  it('reports a refused cloud login as unauthorized', async () => {
    simulator = await startSimulator();
    const outcome = await clientFor({
      auth: { flow: 'apiToken', authorizeUrl: `${simulator.url}/csp/gateway/am/api/auth/api-tokens/authorize` },
      credentials: fixedCredentials({ apiToken: 'revoked-api-token' }),
    }).execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'unauthorized', stage: 'login', status: 400 });
  });

  it('reports a login URL that answers something other than JSON as unauthorized, naming the URL', async () => {
    simulator = await startSimulator({
      faults: { on: ['login'], script: [{ kind: 'status', status: 200, body: '<html>Sign in</html>' }] },
    });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'unauthorized', stage: 'login' });
    expect(outcome.reason).toContain(`is ${simulator.url}/iaas/api/login the right login URL?`);
  });
});

describe('forbidden, not found, rejected', () => {
  it('classifies 403 for a pipeline the user may not execute as forbidden', async () => {
    simulator = await startSimulator();
    const outcome = await clientFor().execute({ id: PIPELINES.restricted.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'forbidden', stage: 'execute', status: 403 });
    expect(outcome.snippet).toContain("User 'relay' is not authorized to execute pipeline 'release'");
    expect(simulator.count('login.refreshToken')).toBe(1);
  });

  it('classifies 404 for an unknown pipeline as not found, by id and by name', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    const byId = await client.execute({ id: 'no-such-pipeline' }, REQUEST);
    const byName = await client.execute({ project: 'demo', name: 'no-such-pipeline' }, REQUEST);
    expect(byId).toMatchObject({ kind: 'notFound', status: 404, reason: expect.stringContaining('pipeline no-such-pipeline') });
    expect(byName).toMatchObject({ kind: 'notFound', status: 404, reason: expect.stringContaining('pipeline demo/no-such-pipeline') });
  });

  it('classifies 400 for a disabled pipeline as rejected', async () => {
    simulator = await startSimulator();
    const outcome = await clientFor().execute({ id: PIPELINES.disabled.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'rejected', stage: 'execute', status: 400 });
    expect(outcome.snippet).toContain("Pipeline 'retired' is disabled");
  });

  it('classifies 400 for a body that is not an ExecutionRequest as rejected', async () => {
    simulator = await startSimulator();
    const notStrings = { input: { BUILD_NUMBER: 42 } } as unknown as typeof REQUEST;
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, notStrings);
    expect(outcome).toMatchObject({ kind: 'rejected', status: 400 });
    expect(outcome.snippet).toContain('input \\"BUILD_NUMBER\\" must be a string, not number');
  });

  it.each([409, 422, 501])('classifies %i as rejected', async (status) => {
    simulator = await startSimulator({ faults: { script: [{ kind: 'status', status }] } });
    const outcome = await clientFor().execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome).toMatchObject({ kind: 'rejected', status });
  });

  it('bounds the snippet of a large body', async () => {
    simulator = await startSimulator({ faults: { script: [{ kind: 'status', status: 500, body: 'x'.repeat(10_000) }] } });
    const outcome = await clientFor({ snippetChars: 100 }).execute({ id: PIPELINES.build.id }, REQUEST);
    expect(outcome.snippet).toBe(`${'x'.repeat(100)}…`);
  });
});

describe('the bearer token', () => {
  it('logs in once per token lifetime, not once per call', async () => {
    let now = Date.parse('2026-11-28T10:00:00Z');
    const clock = () => now;
    simulator = await startSimulator({ tokenLifetimeSeconds: 600, now: clock });
    const client = clientFor({ now: clock, renewBeforeMs: 60_000 });

    for (let call = 0; call < 5; call += 1) {
      expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
      now += 100_000;
    }
    // Five calls over 400 s of a 600 s token: one login.
    expect(simulator.count('login.refreshToken')).toBe(1);
    now += 50_000;
    for (let call = 0; call < 5; call += 1) {
      expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
    }
    // At 550 s the token is within 60 s of expiry: renewed before Code Stream could refuse it.
    expect(simulator.count('login.refreshToken')).toBe(2);
    expect(simulator.requests.filter((r) => r.status === 401)).toHaveLength(0);
    expect(simulator.count('execute.byId')).toBe(10);
  });

  it('has concurrent callers share one login', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => client.execute({ id: PIPELINES.build.id }, REQUEST)),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(Array(10).fill('created'));
    expect(simulator.count('login.refreshToken')).toBe(1);
    expect(new Set(simulator.executions.map((e) => e.index)).size).toBe(10);
  });

  it('has concurrent callers refused with the same expired token share one renewal', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    await client.execute({ id: PIPELINES.build.id }, REQUEST);
    simulator.expireTokens();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => client.execute({ id: PIPELINES.build.id }, REQUEST)));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(5).fill('created'));
    expect(simulator.count('login.refreshToken')).toBe(2);
  });

  it('renews mid-run when the server expires tokens every few calls', async () => {
    simulator = await startSimulator({ expireTokensEvery: 4 });
    const client = clientFor();
    for (let call = 0; call < 9; call += 1) {
      expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
    }
    expect(simulator.executions).toHaveLength(9);
    expect(simulator.count('login.refreshToken')).toBe(1 + simulator.requests.filter((r) => r.status === 401).length);
    expect(simulator.requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(2);
  });
});

describe('both auth flows', () => {
  it('on-premises: exchanges the refresh token at /iaas/api/login and reads the JWT expiry', async () => {
    let now = Date.parse('2026-11-28T10:00:00Z');
    simulator = await startSimulator({ tokenLifetimeSeconds: 3_600, now: () => now });
    const client = clientFor({ now: () => now, renewBeforeMs: 300_000 });
    await client.execute({ id: PIPELINES.build.id }, REQUEST);
    now += 3_600_000 - 300_001;
    await client.execute({ id: PIPELINES.build.id }, REQUEST);
    expect(simulator.count('login.refreshToken')).toBe(1);
    now += 2;
    await client.execute({ id: PIPELINES.build.id }, REQUEST);
    expect(simulator.count('login.refreshToken')).toBe(2);
    expect(simulator.requests[0]).toMatchObject({ body: { refreshToken: '[redacted]' }, user: 'relay' });
  });

  it('cloud: exchanges the API token at CSP authorize (form api_token) and uses expires_in', async () => {
    let now = Date.parse('2026-11-28T10:00:00Z');
    simulator = await startSimulator({ tokenLifetimeSeconds: 1_800, now: () => now });
    const client = clientFor({
      auth: { flow: 'apiToken', authorizeUrl: `${simulator.url}/csp/gateway/am/api/auth/api-tokens/authorize` },
      credentials: fixedCredentials({ apiToken: API_TOKEN }),
      now: () => now,
      renewBeforeMs: 300_000,
    });
    expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
    now += 1_800_000 - 299_000;
    expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
    expect(simulator.count('login.apiToken')).toBe(2);
    expect(simulator.count('login.refreshToken')).toBe(0);
    expect(simulator.requests[0]).toMatchObject({ body: { api_token: '[redacted]' }, user: 'relay' });
  });
});

it('turns a credential source that fails unexpectedly into a retryable outcome that names only the error', async () => {
  simulator = await startSimulator();
  const outcome = await clientFor({
    credentials: {
      credential: () => Promise.reject(new SyntaxError('Unexpected token in "leaked-secret-value"')),
    },
  }).execute({ id: PIPELINES.build.id }, REQUEST);
  expect(outcome).toEqual({
    kind: 'retryable',
    stage: 'credentials',
    cause: 'service',
    reason: 'reading the Code Stream credential failed with SyntaxError',
    snippet: '',
  });
});

describe('read', () => {
  it('reads a pipeline by id and by project and name, with apiVersion', async () => {
    simulator = await startSimulator();
    const client = clientFor({ apiVersion: '2019-10-17' });

    const byId = await client.read(`/codestream/api/pipelines/${encodeURIComponent(PIPELINES.build.id)}`);
    const byName = await client.read('/codestream/api/pipelines/Platform%20Team/build%20%26%20test');

    expect(byId).toMatchObject({ kind: 'read', value: { id: PIPELINES.build.id, enabled: true } });
    expect(byName).toMatchObject({ kind: 'read', value: { id: PIPELINES.spaced.id } });
    expect(simulator.requests.filter((r) => r.endpoint === 'pipeline.get').every((r) => r.query.apiVersion === '2019-10-17')).toBe(true);
  });

  it('says notFound for an unknown pipeline, naming what it read', async () => {
    simulator = await startSimulator();
    const outcome = await clientFor().read('/codestream/api/pipelines/no-such-id', {}, 'reading pipeline no-such-id');

    expect(outcome).toMatchObject({ kind: 'notFound', status: 404, reason: 'Code Stream answered 404 to reading pipeline no-such-id' });
  });

  it('renews the token once on a 401, and reports a refused login as unauthorized', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    expect(await client.read('/codestream/api/git-webhooks')).toMatchObject({ kind: 'read' });
    simulator.expireTokens();

    expect(await client.read('/codestream/api/git-webhooks')).toMatchObject({ kind: 'read', value: { documents: {} } });
    expect(simulator.count('login.refreshToken')).toBe(2);

    const refused = await clientFor({ credentials: fixedCredentials({ refreshToken: 'wrong' }) }).read('/codestream/api/git-webhooks');
    expect(refused).toMatchObject({ kind: 'unauthorized', stage: 'login' });
  });

  it('says why when Code Stream cannot be reached', async () => {
    simulator = await startSimulator();
    const port = await freePort();
    const outcome = await clientFor({ baseUrl: `http://127.0.0.1:${port}` }).read('/codestream/api/git-webhooks');

    expect(outcome).toMatchObject({ kind: 'retryable', cause: 'connection' });
  });
});

describe('lookupExecution', () => {
  const TAGS = ['delivery:d-1', 'rule:build'];

  /** The tagged execution, then `later` others of the same pipeline, as a busy pipeline gets them after a call that timed out. */
  async function startedThenBuried(client: CodeStreamClient, later: number): Promise<string> {
    const tagged = await client.execute({ id: PIPELINES.build.id }, { ...REQUEST, tags: TAGS });
    for (let index = 0; index < later; index += 1) await client.execute({ id: PIPELINES.build.id }, { ...REQUEST, tags: [`delivery:other-${index}`] });
    return (tagged as { executionId: string }).executionId;
  }

  it('pages back to the first call, finding an execution that newer ones pushed off the first page', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    const since = Date.now();
    const executionId = await startedThenBuried(client, 12);

    expect(await client.lookupExecution({ id: PIPELINES.build.id }, TAGS, undefined, since, 5)).toMatchObject({ found: true, executionId });
    expect(simulator.requests.filter((r) => r.endpoint === 'executions.list').map((r) => r.query.$skip)).toEqual(['0', '5', '10']);
  });

  it('stops at executions older than the first call, or at the end of the list, when none carries the tags', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    for (let index = 0; index < 12; index += 1) await client.execute({ id: PIPELINES.build.id }, REQUEST);
    const since = Date.now() + 10 * 60_000;

    expect(await client.lookupExecution({ id: PIPELINES.build.id }, TAGS, undefined, since, 5)).toEqual({ found: false });
    expect(simulator.count('executions.list')).toBe(1);
    expect(await client.lookupExecution({ id: PIPELINES.build.id }, TAGS, undefined, Date.now() - 3_600_000, 5)).toEqual({ found: false });
    expect(simulator.count('executions.list')).toBe(1 + 3);
  });

  it('says it could not look, rather than report none, when its pages do not reach back to the first call', async () => {
    simulator = await startSimulator();
    const client = clientFor();
    const since = Date.now();
    await startedThenBuried(client, 12);

    const lookup = await client.lookupExecution({ id: PIPELINES.build.id }, TAGS, undefined, since, 5, 2);
    expect(lookup).toMatchObject({ found: false, failed: { kind: 'retryable', reason: expect.stringContaining('its 10 newest executions do not reach back') } });
  });
});
