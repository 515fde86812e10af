import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { type SimulatedPipeline, type SimulatorSeed, loadSeed, seedProblems } from '../../../local/codestream-simulator/seed';
import { REFRESH_TOKEN, SEED, startSimulator } from '../../support/simulatorFixture';
import { until } from '../../support/until';

// Executions that end: a seeded pipeline's run, the control endpoint, and the reads that show them, over loopback.
const START = Date.parse('2026-11-28T10:00:00Z');
const RUNS: SimulatedPipeline[] = [
  { id: 'a1b2c3d4-0000-4000-8000-00000000e001', project: 'demo', name: 'completes', run: { seconds: 2, ends: 'COMPLETED' } },
  { id: 'a1b2c3d4-0000-4000-8000-00000000e002', project: 'demo', name: 'fails', run: { seconds: 1.5, ends: 'FAILED', statusMessage: "Execution failed: Task 'deploy' failed." } },
  { id: 'a1b2c3d4-0000-4000-8000-00000000e003', project: 'demo', name: 'rolls-back', run: { seconds: 0, ends: 'ROLLBACK_COMPLETED' } },
];
const RUN_SEED: SimulatorSeed = { ...SEED, pipelines: [...SEED.pipelines, ...RUNS] };

let simulator: CodeStreamSimulator;
let now: number;

beforeEach(async () => {
  now = START;
  simulator = await startSimulator({ seed: RUN_SEED, now: () => now });
});

afterEach(async () => {
  await simulator.stop();
});

async function call(method: string, urlPath: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(`${simulator.url}${urlPath}`, { method, headers, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function login(): Promise<string> {
  return (await call('POST', '/iaas/api/login', { body: { refreshToken: REFRESH_TOKEN } })).json.token as string;
}

/** Executes the pipeline `project/name` and returns the new execution's id. */
async function execute(token: string, name: string, project = 'demo'): Promise<string> {
  const created = await call('POST', `/codestream/api/pipelines/${encodeURIComponent(project)}/${encodeURIComponent(name)}/executions`, { token, body: {} });
  expect(created.status).toBe(202);
  return created.json.executionId as string;
}

const read = (token: string, id: string) => call('GET', `/codestream/api/executions/${id}`, { token });

describe('a seeded run', () => {
  it('is RUNNING until its seconds have passed by the clock, then COMPLETED as of then, with the swagger’s message and times', async () => {
    const token = await login();
    const id = await execute(token, 'completes');

    expect((await read(token, id)).json).toMatchObject({
      status: 'RUNNING',
      statusMessage: 'Execution Running.',
      updatedAt: '2026-11-28T10:00:00.000Z',
      _createTimeInMicros: START * 1000,
      _updateTimeInMicros: START * 1000,
      _durationInMicros: 0,
    });
    now = START + 1_999;
    expect((await read(token, id)).json).toMatchObject({ status: 'RUNNING' });

    now = START + 60_000;
    const ended = {
      status: 'COMPLETED',
      statusMessage: 'Execution Completed.',
      updatedAt: '2026-11-28T10:00:02.000Z',
      _updateTimeInMicros: (START + 2_000) * 1000,
      _durationInMicros: 2_000_000,
    };
    expect(await read(token, id)).toEqual({ status: 200, json: expect.objectContaining(ended) });
    const listed = await call('GET', '/codestream/api/pipelines/demo/completes/executions', { token });
    expect(Object.values(listed.json.documents as Record<string, unknown>)).toEqual([expect.objectContaining(ended)]);
    expect(simulator.executions[0]).toMatchObject(ended);
  });

  it.each([
    ['fails', 'FAILED', "Execution failed: Task 'deploy' failed.", 1_500_000],
    ['rolls-back', 'ROLLBACK_COMPLETED', 'Execution Rollback Completed.', 0],
  ])('%s: ends %s with its message', async (name, status, statusMessage, durationInMicros) => {
    const token = await login();
    const id = await execute(token, name);
    now = START + 1_500;
    expect((await read(token, id)).json).toMatchObject({ status, statusMessage, _durationInMicros: durationInMicros });
  });

  it('ends each execution by its own creation time', async () => {
    const token = await login();
    const first = await execute(token, 'completes');
    now = START + 1_000;
    const second = await execute(token, 'completes');
    now = START + 2_500;
    expect((await read(token, first)).json.status).toBe('COMPLETED');
    expect((await read(token, second)).json.status).toBe('RUNNING');
  });

  it('keeps an execution of a pipeline without a run RUNNING, however long', async () => {
    const token = await login();
    const id = await execute(token, 'build');
    now = START + 7 * 24 * 3_600_000;
    expect((await read(await login(), id)).json).toMatchObject({ status: 'RUNNING', _durationInMicros: 0 });
  });

  it('ends on the real clock too, with no timer left running', async () => {
    const real = await startSimulator({ seed: { ...SEED, pipelines: [{ id: 'real-clock', project: 'demo', name: 'quick', run: { seconds: 0.2, ends: 'CANCELED' } }] } });
    try {
      const login_ = await fetch(`${real.url}/iaas/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: REFRESH_TOKEN }) });
      const headers = { Authorization: `Bearer ${((await login_.json()) as { token: string }).token}`, 'Content-Type': 'application/json' };
      const created = await fetch(`${real.url}/codestream/api/pipelines/real-clock/executions`, { method: 'POST', headers, body: '{}' });
      const { executionLink } = (await created.json()) as { executionLink: string };
      let status = '';
      await until(async () => {
        status = ((await (await fetch(`${real.url}${executionLink}`, { headers })).json()) as { status: string }).status;
        return status === 'CANCELED';
      }, 10_000, () => `still ${status}`);
    } finally {
      await real.stop();
    }
  });
});

describe('PUT /_simulator/executions/{id}', () => {
  it('ends an execution now, with the given message, and answers it as it is now', async () => {
    const token = await login();
    const id = await execute(token, 'build');
    now = START + 30_000;

    const changed = await call('PUT', `/_simulator/executions/${id}`, { body: { status: 'FAILED', statusMessage: 'Execution failed: task deploy failed.' } });
    const failed = { id, status: 'FAILED', statusMessage: 'Execution failed: task deploy failed.', _durationInMicros: 30_000_000 };
    expect(changed).toEqual({ status: 200, json: expect.objectContaining(failed) });
    expect((await read(token, id)).json).toMatchObject(failed);
    expect((await call('GET', '/_simulator/executions')).json).toEqual([expect.objectContaining(failed)]);
  });

  it('scripts a status seconds from now, replacing the run, and takes any status of the enum with its usual message', async () => {
    const token = await login();
    const id = await execute(token, 'completes');

    expect((await call('PUT', `/_simulator/executions/${id}`, { body: { status: 'PAUSED' } })).json).toMatchObject({ status: 'PAUSED', statusMessage: 'Execution Paused.', _durationInMicros: 0 });
    expect((await call('PUT', `/_simulator/executions/${id}`, { body: { status: 'ROLLBACK_FAILED', seconds: 10 } })).json).toMatchObject({ status: 'PAUSED' });
    now = START + 5_000;
    expect((await read(token, id)).json).toMatchObject({ status: 'PAUSED' });
    now = START + 10_000;
    expect((await read(token, id)).json).toMatchObject({ status: 'ROLLBACK_FAILED', statusMessage: 'Execution Rollback Failed.', _durationInMicros: 10_000_000 });
  });

  it('answers 400 for a status not in the enum, a field it does not know, or a body that is not JSON', async () => {
    const token = await login();
    const id = await execute(token, 'build');
    const refused = await call('PUT', `/_simulator/executions/${id}`, { body: { status: 'DONE' } });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/^invalid status change: status must be one of the swagger's execution statuses \(NOT_STARTED, STARTED, .*ROLLBACK_COMPLETED\), not "DONE"$/);
    expect((await call('PUT', `/_simulator/executions/${id}`, { body: { status: 'FAILED', reason: 'x', seconds: -1 } })).json).toEqual({
      message: 'invalid status change: seconds must be a number of seconds, 0 or more; reason is not a field of a status change (status, statusMessage, seconds)',
      statusCode: 400,
    });
    expect((await call('PUT', `/_simulator/executions/${id}`, { body: '{"status":' })).status).toBe(400);
    expect((await read(token, id)).json.status).toBe('RUNNING');
  });

  it('answers 404 for an unknown execution, 409 for one that has ended, and 405 to a GET', async () => {
    const token = await login();
    expect(await call('PUT', '/_simulator/executions/nope', { body: { status: 'FAILED' } })).toEqual({
      status: 404,
      json: { message: "Execution with id 'nope' not found", statusCode: 404 },
    });
    const id = await execute(token, 'rolls-back');
    expect(await call('PUT', `/_simulator/executions/${id}`, { body: { status: 'COMPLETED' } })).toEqual({
      status: 409,
      json: { message: `Execution with id '${id}' has ended (ROLLBACK_COMPLETED); an ended execution does not change`, statusCode: 409 },
    });
    expect((await call('GET', `/_simulator/executions/${id}`)).status).toBe(405);
  });

  it('is a method too, for tests in the same process', async () => {
    const token = await login();
    const id = await execute(token, 'build');
    expect(simulator.setExecutionStatus(id, { status: 'CANCELED' })).toMatchObject({ id, status: 'CANCELED', statusMessage: 'Execution Canceled.' });
    expect(() => simulator.setExecutionStatus('nope', { status: 'FAILED' })).toThrow("Execution with id 'nope' not found");
    const other = await execute(token, 'build');
    expect(() => simulator.setExecutionStatus(other, { status: 'DONE' as 'FAILED' })).toThrow(/^invalid status change: status must be one of/);
  });
});

describe('GET /codestream/api/executions/{id}', () => {
  it('answers 404 in the simulator error shape for an unknown execution, and 401 without a token', async () => {
    const token = await login();
    expect(await read(token, 'nope')).toEqual({ status: 404, json: { message: "Execution with id 'nope' not found", statusCode: 404 } });
    expect((await read('', 'nope')).status).toBe(401);
  });
});

describe('the seed', () => {
  it('names every problem of a run', () => {
    const pipeline = { id: 'p', project: 'demo', name: 'x' };
    expect(
      seedProblems({
        users: [{ name: 'relay', refreshToken: 'r' }],
        pipelines: [
          { ...pipeline, id: 'p0', run: { seconds: 2, ends: 'COMPLETED', statusMessage: 'ok' } },
          { ...pipeline, id: 'p1', run: { seconds: -1, ends: 'RUNNING', statusMessage: 3, after: 1 } },
          { ...pipeline, id: 'p2', run: { ends: 'FAILED' } },
          { ...pipeline, id: 'p3', run: 'COMPLETED' },
        ],
      }),
    ).toEqual([
      'pipelines[1].run.seconds must be a number of seconds, 0 or more',
      'pipelines[1].run.ends must be a status in which an execution ends (CANCELED, COMPLETED, FAILED, SKIPPED, ROLLBACK_FAILED, ROLLBACK_COMPLETED), not "RUNNING"',
      'pipelines[1].run.statusMessage must be a string',
      'pipelines[1].run.after is not a field of a run (seconds, ends, statusMessage)',
      'pipelines[2].run.seconds must be a number of seconds, 0 or more',
      'pipelines[3].run must be an object: {"seconds": 2, "ends": "COMPLETED"}',
    ]);
  });

  it('is read from a file by the CLI, which says how each pipeline runs and serves the end', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'simulator-run-'));
    let child: ChildProcess | undefined;
    try {
      const file = path.join(directory, 'seed.json');
      writeFileSync(file, JSON.stringify({ users: SEED.users, pipelines: [{ id: 'cli-run', project: 'demo', name: 'quick', run: { seconds: 0, ends: 'FAILED' } }] }));
      expect(loadSeed(file).pipelines[0]?.run).toEqual({ seconds: 0, ends: 'FAILED' });
      const root = path.join(__dirname, '../../..');
      // One process, node with tsx's loader, so that killing it leaves no server behind.
      child = spawn(process.execPath, ['--import', 'tsx', 'local/codestream-simulator/main.ts', '0', '--seed', file], { cwd: root, env: { ...process.env, PORT: '' } });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await until(() => output.includes('end one:'), 20_000, () => output);
      expect(output).toContain('pipeline demo/quick  id cli-run  (executions end FAILED after 0 s)');
      const url = /listening on (\S+)/.exec(output)?.[1] ?? '';
      const login_ = await fetch(`${url}/iaas/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: REFRESH_TOKEN }) });
      const headers = { Authorization: `Bearer ${((await login_.json()) as { token: string }).token}`, 'Content-Type': 'application/json' };
      const created = (await (await fetch(`${url}/codestream/api/pipelines/cli-run/executions`, { method: 'POST', headers, body: '{}' })).json()) as { executionLink: string };
      expect(await (await fetch(`${url}${created.executionLink}`, { headers })).json()).toMatchObject({ status: 'FAILED', statusMessage: 'Execution Failed.' });
    } finally {
      child?.kill('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
