import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeStreamClient, type CodeStreamClientOptions } from '../../../lambda/codestream/CodeStreamClient';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import type { ExecutionStatus } from '../../../lambda/codestream/types';
import { API_TOKEN, PIPELINES, REFRESH_TOKEN, SEED, fixedCredentials, startSimulator } from '../../support/simulatorFixture';

// CodeStreamClient.readExecution over real HTTP, against the simulator and, for answers it never
// gives, a bare server.
const START = Date.parse('2026-11-28T10:00:00Z');
const ENDS = { id: 'b5e1d2c3-0000-4000-8000-00000000f001', project: 'demo', name: 'deploy' };

let simulator: CodeStreamSimulator | undefined;
let now: number;
let server: Server | undefined;

afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function started(): Promise<CodeStreamSimulator> {
  now = START;
  simulator = await startSimulator({
    seed: { ...SEED, pipelines: [...SEED.pipelines, { ...ENDS, run: { seconds: 3, ends: 'COMPLETED' } }] },
    now: () => now,
  });
  return simulator;
}

function clientFor(baseUrl: string, options: Partial<CodeStreamClientOptions> = {}): CodeStreamClient {
  return new CodeStreamClient({
    baseUrl,
    auth: { flow: 'refreshToken' },
    credentials: fixedCredentials({ refreshToken: REFRESH_TOKEN, apiToken: API_TOKEN }),
    timeoutMs: 2_000,
    now: () => now,
    ...options,
  });
}

/** Starts an execution of `pipeline` through the client, as the relay does, and returns its id. */
async function executed(client: CodeStreamClient, pipeline: { id: string }): Promise<string> {
  const outcome = await client.execute(pipeline, { comments: 'push to main' });
  if (outcome.kind !== 'created' || !outcome.executionId) throw new Error(`not created: ${outcome.reason}`);
  return outcome.executionId;
}

it('reads a running execution as not ended', async () => {
  const { url } = await started();
  const client = clientFor(url);
  const id = await executed(client, PIPELINES.build);

  const read = await client.readExecution(id);
  expect(read).toEqual({ kind: 'execution', status: 'RUNNING', statusMessage: 'Execution Running.', ended: false, pipeline: 'demo/build', index: expect.any(Number) });
});

it('reads a seeded run as running, then as ended in success once its seconds have passed', async () => {
  const { url } = await started();
  const client = clientFor(url, { apiVersion: '2019-10-17' });
  const id = await executed(client, ENDS);

  expect(await client.readExecution(id)).toMatchObject({ status: 'RUNNING', ended: false });
  now = START + 3_000;
  expect(await client.readExecution(id)).toEqual({ kind: 'execution', status: 'COMPLETED', statusMessage: 'Execution Completed.', ended: true, result: 'success', pipeline: 'demo/deploy', index: 1 });
  expect(simulator?.requests.filter((request) => request.endpoint === 'execution.get').map((request) => [request.path, request.query])).toEqual([
    [`/codestream/api/executions/${id}`, { apiVersion: '2019-10-17' }],
    [`/codestream/api/executions/${id}`, { apiVersion: '2019-10-17' }],
  ]);
});

it.each<[ExecutionStatus, 'success' | 'failure' | 'canceled']>([
  ['COMPLETED', 'success'],
  ['FAILED', 'failure'],
  ['ROLLBACK_COMPLETED', 'failure'],
  ['ROLLBACK_FAILED', 'failure'],
  ['CANCELED', 'canceled'],
])('reads an execution that ended %s as ended in %s, with its message', async (status, result) => {
  const { url } = await started();
  const client = clientFor(url);
  const id = await executed(client, PIPELINES.build);
  simulator?.setExecutionStatus(id, { status, statusMessage: `ended ${status}` });

  expect(await client.readExecution(id)).toEqual({ kind: 'execution', status, statusMessage: `ended ${status}`, ended: true, result, pipeline: 'demo/build', index: expect.any(Number) });
});

it.each<ExecutionStatus>(['FAILED_CONTINUE', 'PAUSED', 'WAITING', 'ROLLING_BACK'])('reads an execution %s as not ended', async (status) => {
  const { url } = await started();
  const client = clientFor(url);
  const id = await executed(client, PIPELINES.build);
  simulator?.setExecutionStatus(id, { status });

  expect(await client.readExecution(id)).toMatchObject({ kind: 'execution', status, ended: false });
});

it('says notFound, and that the execution is gone, for an unknown id, encoding it in the path', async () => {
  const { url } = await started();
  const read = await clientFor(url).readExecution('no such/execution');

  expect(read).toEqual({
    kind: 'notFound',
    stage: 'execute',
    status: 404,
    reason: 'Code Stream answered 404 to reading execution no such/execution: the execution is gone (deleted, or not on this Code Stream)',
    snippet: `{"message":"Execution with id 'no such/execution' not found","statusCode":404}`,
  });
  expect(simulator?.requests.at(-1)?.path).toBe('/codestream/api/executions/no%20such%2Fexecution');
});

it('renews a token Code Stream revoked and reads again, once; a refused login is unauthorized', async () => {
  const { url } = await started();
  const client = clientFor(url);
  const id = await executed(client, PIPELINES.build);
  simulator?.expireTokens();

  expect(await client.readExecution(id)).toMatchObject({ kind: 'execution', status: 'RUNNING' });
  expect(simulator?.count('login.refreshToken')).toBe(2);
  expect(simulator?.requests.filter((request) => request.endpoint === 'execution.get').map((request) => request.status)).toEqual([401, 200]);

  const refused = await clientFor(url, { credentials: fixedCredentials({ refreshToken: 'wrong' }) }).readExecution(id);
  expect(refused).toMatchObject({ kind: 'unauthorized', stage: 'login' });
});

describe('answers the simulator never gives', () => {
  /** A server that logs anyone in and answers every other request with `answer`. */
  async function bare(answer: { status: number; body: string; delayMs?: number }): Promise<string> {
    server = createServer((request, response) => {
      const reply = () => {
        response.writeHead(request.url === '/iaas/api/login' ? 200 : answer.status, { 'Content-Type': 'application/json' });
        response.end(request.url === '/iaas/api/login' ? JSON.stringify({ tokenType: 'Bearer', token: 'bare-token' }) : answer.body);
      };
      if (request.url === '/iaas/api/login' || !answer.delayMs) reply();
      else setTimeout(reply, answer.delayMs).unref();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
  }

  it('keeps a status the swagger does not list, as not ended', async () => {
    now = START;
    const read = await clientFor(await bare({ status: 200, body: '{"status":"SUPERSEDED"}' })).readExecution('e1');
    expect(read).toEqual({ kind: 'execution', status: 'SUPERSEDED', statusMessage: '', ended: false });
  });

  it('rejects a 200 that is not an Execution with a status', async () => {
    now = START;
    expect(await clientFor(await bare({ status: 200, body: '<html>' })).readExecution('e1')).toMatchObject({
      kind: 'rejected',
      status: 200,
      reason: "Code Stream's answer to reading execution e1 is not an Execution with a status",
      snippet: '<html>',
    });
  });

  it('classes a 503 as retryable and a 403 as forbidden, as the other reads', async () => {
    now = START;
    expect(await clientFor(await bare({ status: 503, body: '{}' })).readExecution('e1')).toMatchObject({ kind: 'retryable', cause: 'status', status: 503 });
    await new Promise((resolve) => server?.close(resolve));
    expect(await clientFor(await bare({ status: 403, body: '{}' })).readExecution('e1')).toMatchObject({ kind: 'forbidden', status: 403 });
  });

  it('gives up at the deadline', async () => {
    now = START;
    const client = clientFor(await bare({ status: 200, body: '{"status":"RUNNING"}', delayMs: 5_000 }));
    const read = await client.readExecution('e1', { endsAt: Date.now() + 200 });
    expect(read).toMatchObject({ kind: 'retryable', cause: 'timeout' });
  });
});
