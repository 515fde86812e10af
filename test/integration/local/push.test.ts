import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/freePort';

const ROOT = path.join(__dirname, '../../..');
const PUSH_SCRIPT = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { push: string } }).scripts.push;
const SECRET = (JSON.parse(readFileSync(path.join(ROOT, 'relay.secrets.local.json'), 'utf8')) as Record<string, string>)['webhooks/github']!;
const FIXTURE = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/webhooks/github/push.branch-created.json'), 'utf8')) as PushBody;

interface PushBody {
  after: string;
  head_commit: { id: string; timestamp: string };
  commits: { id: string; timestamp: string }[];
}

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let received: Received[];
let answerStatus: number;
let server: Server;
let port: number;
let stateDir: string;

/** `npm run push`'s command (package.json's push script), with its exit code and output once it has ended. */
function push(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command = '', ...scriptArgs] = PUSH_SCRIPT.split(' ');
  const child = spawn(command === 'node' ? process.execPath : command, [...scriptArgs, ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), RELAY_STATE_DIR: stateDir },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': by then the output has been read whole.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const hmac = (algorithm: 'sha1' | 'sha256', body: Buffer) => `${algorithm}=${createHmac(algorithm, SECRET).update(body).digest('hex')}`;
const commitOf = (request: Received) => (JSON.parse(request.body.toString()) as PushBody).after;

beforeEach(async () => {
  received = [];
  answerStatus = 202;
  stateDir = mkdtempSync(path.join(tmpdir(), 'relay-push-'));
  port = await freePort();
  // A stub standing in for the relay's webhook endpoint: it records each request and answers as ingress does.
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      const deliveryId = String(request.headers['x-github-delivery']);
      response.writeHead(answerStatus, { 'Content-Type': 'application/json' });
      response.end(answerStatus === 202 ? JSON.stringify({ deliveryId }) : JSON.stringify({ error: 'signature_mismatch' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(stateDir, { recursive: true, force: true });
});

it('pushes a new commit each time, signed, and --again the same body under a new delivery id', async () => {
  const started = Date.now();
  const first = await push();
  const second = await push();
  const again = await push('--again');

  for (const run of [first, second, again]) expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(received).toHaveLength(3);
  const [one, two, three] = received as [Received, Received, Received];
  for (const request of received) {
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-hook-id': '292430182',
      'x-hub-signature-256': hmac('sha256', request.body),
      'x-hub-signature': hmac('sha1', request.body),
    });
    expect(request.headers['x-github-delivery']).toMatch(/^local-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  }
  expect(new Set(received.map((request) => request.headers['x-github-delivery'])).size).toBe(3);

  // A new commit: a fresh id wherever the fixture names its head commit, and now as its time.
  for (const request of [one, two]) {
    const body = JSON.parse(request.body.toString()) as PushBody;
    expect(body.after).toMatch(/^[0-9a-f]{40}$/);
    expect(body.after).not.toBe(FIXTURE.after);
    expect([body.head_commit.id, body.commits[0]?.id]).toEqual([body.after, body.after]);
    expect(body.head_commit.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(body.head_commit.timestamp)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(body.commits[0]?.timestamp).toBe(body.head_commit.timestamp);
  }
  expect(commitOf(two)).not.toBe(commitOf(one));
  expect(three.body.equals(two.body)).toBe(true);
  expect(existsSync(path.join(stateDir, 'last-push.json'))).toBe(true);

  expect(first.stdout).toBe(`202 {"deliveryId":"${String(one.headers['x-github-delivery'])}"} (commit ${commitOf(one)})\n`);
  expect(second.stdout).toBe(`202 {"deliveryId":"${String(two.headers['x-github-delivery'])}"} (commit ${commitOf(two)})\n`);
  expect(again.stdout).toBe(`202 {"deliveryId":"${String(three.headers['x-github-delivery'])}"} (commit ${commitOf(two)})\n`);
});

it('says the relay is not running when nothing answers', async () => {
  port = await freePort(); // not the stub's

  const run = await push();

  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`no local relay answers on http://127.0.0.1:${port}: start it with npm start\n`);
});

it('fails on an answer other than 2xx, and keeps nothing to send again', async () => {
  answerStatus = 401;

  const run = await push();
  const again = await push('--again');

  expect(run.code).not.toBe(0);
  const deliveryId = String(received[0]?.headers['x-github-delivery']);
  expect(run.stderr).toBe(`the relay did not accept the push: 401 {"error":"signature_mismatch"} (delivery ${deliveryId}, commit ${commitOf(received[0]!)})\n`);
  expect(again.code).not.toBe(0);
  expect(again.stderr).toBe(`no earlier push to send again (${path.join(stateDir, 'last-push.json')}): run npm run push first\n`);
  expect(received).toHaveLength(1);
});
