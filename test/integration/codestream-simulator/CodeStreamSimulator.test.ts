import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { PIPELINES, REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';

let simulator: CodeStreamSimulator;
let now: number;

beforeEach(async () => {
  now = Date.parse('2026-11-28T10:00:00Z');
  simulator = await startSimulator({ tokenLifetimeSeconds: 60, now: () => now });
});

afterEach(async () => {
  await simulator.stop();
});

async function call(method: string, path: string, options: { token?: string; body?: unknown; type?: string } = {}) {
  const headers: Record<string, string> = { 'Content-Type': options.type ?? 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(`${simulator.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function login(): Promise<string> {
  const { json } = await call('POST', '/iaas/api/login', { body: { refreshToken: REFRESH_TOKEN } });
  return json.token as string;
}

const executions = `/codestream/api/pipelines/${PIPELINES.build.id}/executions`;

describe('authentication', () => {
  it('issues a JWT bearer token whose exp is the configured lifetime', async () => {
    const token = await login();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string; exp: number };
    expect(claims).toMatchObject({ sub: 'relay', exp: now / 1000 + 60 });
  });

  it('answers 401 for a missing, unknown or expired token, and accepts a valid one', async () => {
    const token = await login();
    expect((await call('POST', executions, { body: {} })).status).toBe(401);
    expect((await call('POST', executions, { body: {}, token: 'forged' })).json.message).toBe('the bearer token is not valid');
    expect((await call('POST', executions, { body: {}, token })).status).toBe(202);
    now += 60_000;
    const expired = await call('POST', executions, { body: {}, token });
    expect(expired).toMatchObject({ status: 401, json: { message: 'the bearer token has expired' } });
    expect(expired.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('answers 400 for a login without a refresh token, and 415 for a CSP authorize that is not a form', async () => {
    expect((await call('POST', '/iaas/api/login', { body: {} })).status).toBe(400);
    expect((await call('POST', '/csp/gateway/am/api/auth/api-tokens/authorize', { body: { api_token: 'x' } })).status).toBe(415);
  });
});

describe('execute', () => {
  it('answers 400 for malformed JSON and for a bad apiVersion, 415 for another content type', async () => {
    const token = await login();
    expect((await call('POST', executions, { token, body: '{"input":' })).json.message).toBe('the body is not valid JSON');
    expect((await call('POST', `${executions}?apiVersion=latest`, { token, body: {} })).json.message).toBe(
      "apiVersion 'latest' is not a version in yyyy-MM-dd format",
    );
    expect((await call('POST', executions, { token, body: 'a=b', type: 'text/plain' })).status).toBe(415);
    expect(simulator.executions).toHaveLength(0);
  });

  it('overlays the request input on the pipeline defaults and serves the execution back', async () => {
    const token = await login();
    const created = await call('POST', executions, {
      token,
      body: { comments: 'c', input: { GIT_BRANCH_NAME: 'main' }, source: 'relay', tags: ['t'] },
    });
    const execution = await call('GET', created.json.executionLink as string, { token });
    expect(execution).toMatchObject({
      status: 200,
      json: {
        id: created.json.executionId,
        name: 'build',
        project: 'demo',
        index: 1,
        status: 'RUNNING',
        input: { GIT_BRANCH_NAME: 'main', GIT_COMMIT_ID: '' },
        comments: 'c',
        tags: ['t'],
        _source: 'relay',
        _executedBy: 'relay',
        _pipelineLink: `/codestream/api/pipelines/${PIPELINES.build.id}`,
      },
    });
    expect((await call('GET', '/codestream/api/executions/unknown', { token })).status).toBe(404);
  });

  it('lists executions newest first, with $top and $skip', async () => {
    const token = await login();
    for (let run = 0; run < 3; run += 1) await call('POST', executions, { token, body: {} });
    const page = await call('GET', `${executions}?$top=2&$skip=1`, { token });
    expect(page.json).toMatchObject({ count: 2, totalCount: 3 });
    const links = page.json.links as string[];
    const documents = page.json.documents as Record<string, { index: number }>;
    expect(links.map((link) => documents[link]?.index)).toEqual([2, 1]);
    expect((await call('GET', `/codestream/api/pipelines/nope/executions`, { token })).status).toBe(404);
    expect((await call('GET', `${executions}?$top=many`, { token })).status).toBe(400);
  });
});

describe('faults, control and the record', () => {
  it('takes a fault plan over HTTP and rejects an invalid one', async () => {
    const token = await login();
    const set = await call('PUT', '/_simulator/faults', {
      body: { script: [{ kind: 'status', status: 429, retryAfter: 'Sat, 28 Nov 2026 10:00:05 GMT' }] },
    });
    expect(set).toMatchObject({ status: 200, json: { scripted: 1 } });
    const limited = await call('POST', executions, { token, body: {} });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('Sat, 28 Nov 2026 10:00:05 GMT');
    expect((await call('POST', executions, { token, body: {} })).status).toBe(202);
    expect((await call('PUT', '/_simulator/faults', { body: { probability: 3 } })).json.message).toBe(
      'invalid fault plan: probability must be a number from 0 to 1',
    );
  });

  it('creates the execution of a slow answer, as a real server would', async () => {
    simulator.setFaults({ script: [{ kind: 'slow', delayMs: 50 }] });
    const token = await login();
    expect((await call('POST', executions, { token, body: {} })).status).toBe(202);
    expect(simulator.requests.at(-1)).toMatchObject({ fault: 'slow', status: 202 });
    expect(simulator.executions).toHaveLength(1);
  });

  it('expires tokens on request', async () => {
    const token = await login();
    expect((await call('POST', '/_simulator/tokens/expire')).json).toEqual({ revoked: 1 });
    expect((await call('POST', executions, { token, body: {} })).status).toBe(401);
  });

  it('answers 404 and 405 for what it does not serve', async () => {
    expect((await call('GET', '/codestream/api/nothing')).status).toBe(404);
    expect((await call('DELETE', executions)).status).toBe(405);
    expect((await call('POST', '/_simulator/reboot')).status).toBe(404);
  });

  it('records every request without credentials, and serves the record and executions over HTTP', async () => {
    const token = await login();
    await call('POST', `${executions}?apiVersion=2019-10-17`, { token, body: { input: { A: 'b' } } });
    const { json } = await call('GET', '/_simulator/requests');
    expect(json).toEqual([
      expect.objectContaining({ seq: 1, endpoint: 'login.refreshToken', status: 200, user: 'relay', body: { refreshToken: '[redacted]' } }),
      expect.objectContaining({
        seq: 2,
        endpoint: 'execute.byId',
        status: 202,
        user: 'relay',
        query: { apiVersion: '2019-10-17' },
        pipelineId: PIPELINES.build.id,
        executionId: simulator.executions[0]?.id,
        body: { input: { A: 'b' } },
      }),
    ]);
    const listed = await call('GET', '/_simulator/executions');
    expect(listed.json).toEqual([expect.objectContaining({ id: simulator.executions[0]?.id, input: { A: 'b', GIT_BRANCH_NAME: '', GIT_COMMIT_ID: '' } })]);
  });
});
