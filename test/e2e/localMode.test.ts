import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main as relayCli } from '../../cli/main';
import { CodeStreamSimulator } from '../../local/codestream-simulator/CodeStreamSimulator';
import { loadSeed } from '../../local/codestream-simulator/seed';
import { freePort } from '../support/freePort';
import { largePush } from '../support/largePush';
import { until } from '../support/until';

const ROOT = path.join(__dirname, '../..');
const START_SCRIPT = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const FIXTURE = 'test/fixtures/webhooks/github/push.branch-created.json';
const SECRET = (JSON.parse(readFileSync(path.join(ROOT, 'relay.secrets.local.json'), 'utf8')) as Record<string, string>)['webhooks/github']!;
const BODY = readFileSync(path.join(ROOT, FIXTURE));
// The example config's two rules for a push to master.
const RULES = ['rule:build-main-lines', 'rule:build-code-changes'];

let simulator: CodeStreamSimulator;
let stateDir: string;
let port: number;
let relay: { child: ChildProcess; output: () => string; exited: Promise<number | null> } | undefined;

/**
 * `npm start`'s command (package.json's start script), as in a terminal: in a process group of
 * its own, which Ctrl-C signals whole ({@link ctrlC}); against the simulator of this test, so
 * that it outlives restarts.
 */
async function startRelay(settings: Record<string, string> = {}): Promise<number> {
  const started = Date.now();
  const [command = '', ...args] = START_SCRIPT.split(' ');
  const child = spawn(command === 'node' ? process.execPath : command, args, {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: String(port), CONSOLE_PORT: '0', RELAY_STATE_DIR: stateDir, CODESTREAM_URL: simulator.url, RETRY_BASE_SECONDS: '1', RETRY_MAX_SECONDS: '2', ...settings },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  relay = { child, output: () => output, exited };
  await until(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200, 30_000, () => output);
  return Date.now() - started;
}

/**
 * What a terminal's Ctrl-C does under `npm start`: SIGINT to every process of the foreground
 * group, and npm forwards it to its child once more, so the relay gets it twice.
 */
function ctrlC(): void {
  interruptGroup();
  interruptGroup();
}

/** One SIGINT to the relay's process group; never to pid 0, which is the test runner's own group. */
function interruptGroup(): void {
  if (relay?.child.pid === undefined) throw new Error('the relay has no process to interrupt');
  process.kill(-relay.child.pid, 'SIGINT');
}

/** What `kill -9` of `npm start`'s process group does: every process of it dies at once. */
async function killGroup(): Promise<void> {
  if (relay?.child.pid === undefined) return;
  process.kill(-relay.child.pid, 'SIGKILL');
  await relay.exited;
}

/** Pushes `ids` one after another, `gapMs` apart; each resolves to its HTTP status, 0 when the connection failed. */
function burst(ids: readonly string[], gapMs: number): Promise<number>[] {
  return ids.map((id, index) => new Promise((resolve) => setTimeout(resolve, index * gapMs)).then(() => push(id).then((response) => response.status, () => 0)));
}

/** A push of its own unless `body` is given: real pushes differ, and the same body under a new id is a replay. */
function push(deliveryId: string, body: Buffer = Buffer.from(JSON.stringify({ ...(JSON.parse(BODY.toString()) as object), test_delivery: deliveryId }))): Promise<Response> {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return fetch(`http://127.0.0.1:${port}/hooks/github`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': deliveryId, 'X-Hub-Signature-256': signature },
    body,
  });
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await relayCli([...argv, '--state-dir', stateDir], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const executed = (deliveryId: string) =>
  simulator.executions.filter((execution) => execution.tags.includes(`delivery:${deliveryId}`)).flatMap((execution) => execution.tags.filter((tag) => tag.startsWith('rule:')));

beforeAll(async () => {
  simulator = new CodeStreamSimulator({ seed: loadSeed(path.join(ROOT, 'local/codestream-simulator/seed.example.json')) });
  await simulator.start();
  stateDir = mkdtempSync(path.join(tmpdir(), 'relay-local-'));
  port = await freePort();
});

afterAll(async () => {
  // The whole group, so that no relay outlives a failed test.
  if (relay?.child.exitCode === null && relay.child.pid !== undefined) process.kill(-relay.child.pid, 'SIGKILL');
  await simulator.stop();
});

it('runs the README walkthrough, then loses nothing to Ctrl-C during a burst', async () => {
  const readyMs = await startRelay({ RELAY_DRAIN_SECONDS: '3' });
  expect(relay?.output()).toMatch(/Ready. A 202 means the delivery is on disk \(.*queues.journal\): Ctrl-C, even kill -9, loses none./);
  expect(readyMs).toBeLessThan(20_000);

  // 1. A signed GitHub push starts both of its rules' executions.
  expect((await push('walkthrough-1')).status).toBe(202);
  await until(() => executed('walkthrough-1').length === 2, 10_000, () => relay!.output());
  expect(relay?.output()).toMatch(/INFO {2}Execution created {2}source=github deliveryId=walkthrough-1 eventKind=push rule=build-main-lines/);

  // 2. Code Stream refuses the next one with 403: its rule is dead-lettered with the reason.
  simulator.setFaults({ script: [{ kind: 'status', status: 403 }] });
  expect((await push('walkthrough-2')).status).toBe(202);
  await until(async () => (await cli('dlq', 'list', '--json')).stdout.includes('walkthrough-2'), 10_000, () => relay!.output());
  const [record] = JSON.parse((await cli('dlq', 'list', '--json')).stdout) as { attributes: Record<string, string> }[];
  expect(record?.attributes).toMatchObject({ deliveryId: 'walkthrough-2', outcome: 'forbidden', status: '403', rule: 'build-main-lines' });
  expect(executed('walkthrough-2')).toEqual(['rule:build-code-changes']);

  // 3. Fixed: redrive it; only the failed rule runs again.
  simulator.setFaults({});
  expect((await cli('dlq', 'redrive', '--all')).code).toBe(0);
  await until(() => executed('walkthrough-2').length === 2, 10_000, () => relay!.output());
  expect(executed('walkthrough-2').sort()).toEqual([...RULES].sort());
  expect(JSON.parse((await cli('dlq', 'list', '--json')).stdout)).toEqual([]);

  // 4. A burst while Code Stream answers 503, with Ctrl-C in the middle of it: the relay stops with
  // deliveries waiting out their retry delays.
  simulator.setFaults({ probability: 1, pick: [{ kind: 'status', status: 503 }] });
  const ids = Array.from({ length: 40 }, (_unused, index) => `burst-${index}`);
  const answered: number[] = [];
  const answers = burst(ids, 15).map((status) => status.then((code) => (answered.push(code), code)));
  await until(() => answered.filter((code) => code === 202).length >= 5, 20_000, () => relay!.output());
  ctrlC();
  const statuses = await Promise.all(answers);
  expect(await relay?.exited).toBe(0);
  expect(relay?.output()).toMatch(/SIGINT: no new deliveries; finishing the queued ones/);
  const saved = Number(/Stopped\. (\d+) deliveries still queued and \d+ dead-lettered are saved for the next start\./.exec(relay?.output() ?? '')?.[1]);
  const accepted = ids.filter((_id, index) => statuses[index] === 202);
  expect(accepted.length).toBeGreaterThan(0);
  expect(accepted.length).toBeLessThan(ids.length);
  expect(saved).toBeGreaterThan(0);

  // 5. After a restart, every accepted delivery has been executed by both rules, once each.
  simulator.setFaults({});
  await startRelay();
  await until(() => accepted.every((id) => executed(id).length >= 2), 60_000, () => relay!.output());
  for (const id of accepted) expect(executed(id).sort()).toEqual([...RULES].sort());
  ctrlC();
  expect(await relay?.exited).toBe(0);
}, 180_000);

it('loses nothing to kill -9 of the whole process group mid-burst, and runs each rule once after the restart', async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'relay-local-'));
  // Short leases, so that a claim the killed relay held lapses soon after the restart.
  const settings = { RELAY_FUNCTION_TIMEOUT_MS: '5000', IDEMPOTENCY_LEASE_MS: '10000', RELAY_CONCURRENCY: '2' };
  // Calls in flight (slow), waiting out a Retry-After, or cut off with their outcome unknown (reset) when the kill comes.
  simulator.setFaults({ probability: 0.5, pick: [{ kind: 'slow', delayMs: 400 }, { kind: 'status', status: 503, retryAfter: '1' }, { kind: 'reset' }] });
  await startRelay(settings);

  const ids = Array.from({ length: 80 }, (_unused, index) => `kill-${index}`);
  const answered: number[] = [];
  const answers = burst(ids, 10).map((status) => status.then((code) => (answered.push(code), code)));
  await until(() => answered.filter((code) => code === 202).length >= 30, 30_000, () => relay!.output());
  await killGroup();
  const statuses = await Promise.all(answers);
  const accepted = ids.filter((_id, index) => statuses[index] === 202);

  // The operator commands see a relay that is gone, not a refused connection.
  const stale = await cli('dlq', 'list');
  expect(stale.code).not.toBe(0);
  expect(stale.stderr).toMatch(/\(pid \d+\) is not running: it was killed or crashed/);

  simulator.setFaults({});
  await startRelay(settings);
  expect(relay?.output()).toMatch(/The last local relay here \(pid \d+\) did not stop cleanly/);
  expect(relay?.output()).toMatch(/Restored \d+ queued and \d+ dead-lettered deliveries from the last run\./);
  await until(() => accepted.every((id) => executed(id).length >= 2), 90_000, () => relay!.output());
  for (const id of accepted) expect(executed(id).sort()).toEqual([...RULES].sort());
  // A request the kill cut off unanswered may have been queued; none ran a rule twice.
  for (const id of ids) expect(new Set(executed(id)).size).toBe(executed(id).length);
  ctrlC();
  expect(await relay?.exited).toBe(0);
}, 240_000);

it('stops at once on a second Ctrl-C given later, and loses nothing it had answered 202', async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'relay-local-'));
  // Code Stream refuses everything for now, so the deliveries are still queued, retrying, at the stop.
  simulator.setFaults({ probability: 1, pick: [{ kind: 'status', status: 503 }] });
  // Stopping at once can leave a call's claim held: the restarted relay waits out its lease (and,
  // the call unanswered, the settling time) before it runs that rule. Short ones keep the wait short.
  const claims = { RELAY_FUNCTION_TIMEOUT_MS: '5000', IDEMPOTENCY_LEASE_MS: '10000', UNCERTAIN_SETTLE_MS: '3000' };
  await startRelay({ ...claims, RELAY_DRAIN_SECONDS: '60' });
  const ids = Array.from({ length: 10 }, (_unused, index) => `twice-${index}`);
  expect(await Promise.all(ids.map((id) => push(id).then((response) => response.status)))).toEqual(ids.map(() => 202));

  ctrlC();
  const firstAt = Date.now();
  await until(() => relay!.output().includes('SIGINT: no new deliveries'), 10_000, () => relay!.output());
  // Past the window in which signals count as the same Ctrl-C: this one is the user's second.
  await until(() => Date.now() - firstAt > 2_500, 10_000);
  interruptGroup();
  expect(await relay?.exited).toBe(130);
  expect(relay?.output()).toMatch(/Stopped at once\. Every delivery answered 202 is in the queue journal and runs at the next start\./);

  simulator.setFaults({});
  await startRelay(claims);
  await until(() => ids.every((id) => executed(id).length >= 2), 60_000, () => relay!.output());
  for (const id of ids) expect(executed(id).sort()).toEqual([...RULES].sort());
  ctrlC();
  expect(await relay?.exited).toBe(0);
}, 120_000);

it('executes a signed 2 MB push through S3, dead-letters it with its body readable, and redrives it', async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'relay-local-'));
  await startRelay();
  const large = largePush(2_000_000, 'large-1');
  expect(large.length).toBeGreaterThanOrEqual(2_000_000);

  // Too large for an SQS message: ingress keeps the body in local mode's S3 and queues its reference.
  expect((await push('large-1', large)).status).toBe(202);
  await until(() => executed('large-1').length === 2, 30_000, () => relay!.output());
  expect(executed('large-1').sort()).toEqual([...RULES].sort());
  expect(relay?.output()).toMatch(/Delivery queued .*deliveryId=large-1.*bodyStored=s3:\/\/relay-bodies\/bodies\//);

  // Refused by Code Stream: the record keeps the reference, and the operator reads the body through it.
  simulator.setFaults({ script: [{ kind: 'status', status: 403 }] });
  expect((await push('large-2', largePush(2_000_000, 'large-2'))).status).toBe(202);
  await until(async () => (await cli('dlq', 'list', '--json')).stdout.includes('large-2'), 30_000, () => relay!.output());
  const shown = await cli('dlq', 'show', 'large-2');
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain('Change 1999: a line of the commit message.');

  simulator.setFaults({});
  expect((await cli('dlq', 'redrive', '--all')).code).toBe(0);
  await until(() => executed('large-2').length === 2, 30_000, () => relay!.output());
  expect(executed('large-2').sort()).toEqual([...RULES].sort());
  ctrlC();
  expect(await relay?.exited).toBe(0);
}, 120_000);
