import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DeadLetterDetail, DeadLetterItem, RedriveAnswer, ReplayAnswer } from '../../../../cli/console/api';
import { type RunningConsole, startConsole } from '../../../../cli/console/ConsoleServer';
import { CommandError } from '../../../../cli/errors';
import type { DeliveryPage } from '../../../../cli/history/DeliveryQuery';
import type { DeliveryRecord } from '../../../../lambda/history/DeliveryRecord';
import { HOSTILE, SAMPLE_CONFIG, STALE_PIPELINE, type ConsoleSamples, consoleSamples } from '../../../support/consoleSamples';
import { consoleRequest } from '../../../support/consoleRequest';
import { FakeConsoleQueues } from '../../../support/FakeConsoleQueues';
import { InMemoryDeliveryHistory } from '../../../support/InMemoryDeliveryHistory';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Stand-ins for the built page: the server only reads and serves them. */
function assets(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'relay-console-assets-'));
  writeFileSync(path.join(directory, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(directory, 'app.js'), 'void 0;');
  writeFileSync(path.join(directory, 'app.css'), 'body{}');
  return directory;
}

let samples: ConsoleSamples;
let history: InMemoryDeliveryHistory;
let queues: FakeConsoleQueues;
let running: RunningConsole;
const get = (route: string, headers?: Record<string, string | undefined>) => consoleRequest(running.url, 'GET', route, headers);
const post = (route: string, headers?: Record<string, string | undefined>) => consoleRequest(running.url, 'POST', route, headers);

beforeAll(async () => {
  samples = await consoleSamples(new Date('2026-11-28T12:00:00Z'));
});

beforeEach(async () => {
  history = new InMemoryDeliveryHistory(samples.deliveries);
  queues = new FakeConsoleQueues(samples.deadLetters);
  running = await startConsole({ history, queues: queues.open, configFile: SAMPLE_CONFIG, assetsDir: assets(), port: 0 });
});

afterEach(() => running.stop());

describe('GET /api/deliveries', () => {
  it('lists the deliveries newest first, with a cursor for the next page', async () => {
    const first = await get('/api/deliveries?limit=2');
    expect(first.status).toBe(200);
    const page = first.json as DeliveryPage;
    expect(page.items.map((item) => item.id)).toEqual([samples.ids.pushToMain, samples.ids.hostile]);
    const next = (await get(`/api/deliveries?limit=2&cursor=${encodeURIComponent(page.cursor ?? '')}`)).json as DeliveryPage;
    expect(next.items.map((item) => item.id)).toEqual([samples.ids.gitlab, samples.ids.refused]);
    expect(next.cursor).toBeUndefined();
  });

  it('filters by source, status, rule, outcome and since; an empty parameter is no filter', async () => {
    const ids = async (query: string) => ((await get(`/api/deliveries?${query}`)).json as DeliveryPage).items.map((item) => item.id);
    expect(await ids('source=gitlab')).toEqual([samples.ids.gitlab]);
    expect(await ids('status=refused')).toEqual([samples.ids.refused]);
    expect(await ids('status=401')).toEqual([samples.ids.refused]);
    expect(await ids('outcome=dead_lettered')).toEqual([samples.ids.hostile]);
    expect(await ids('rule=build-code-changes&source=github')).toEqual([samples.ids.pushToMain, samples.ids.hostile]);
    expect(await ids('since=2026-11-28T11:50:00Z')).toEqual([samples.ids.pushToMain, samples.ids.hostile]);
    expect(await ids('source=&rule=')).toHaveLength(4);
  });

  it.each([
    ['status=maybe', 'status'],
    ['status=99', 'status'],
    ['outcome=exploded', 'outcome'],
    ['since=yesterday', 'since'],
    ['since=2026-13-45T99:00:00Z', 'since'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['sauce=github', 'sauce'],
    ['source=a&source=b', 'source'],
  ])('?%s is 400 bad_query naming "%s"', async (query, parameter) => {
    const answer = await get(`/api/deliveries?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: 'bad_query', message: expect.stringContaining(`"${parameter}"`) });
  });
});

describe('GET /api/deliveries/:id', () => {
  it('answers one delivery in full, its id percent-encoded or not', async () => {
    for (const route of [`/api/deliveries/${encodeURIComponent(samples.ids.pushToMain)}`, `/api/deliveries/${samples.ids.pushToMain}`]) {
      const answer = await get(route);
      expect(answer.status).toBe(200);
      expect((answer.json as DeliveryRecord).decisions).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'build-main-lines', outcome: 'created' })]));
    }
    expect(((await get(`/api/deliveries/${encodeURIComponent(samples.ids.refused)}`)).json as DeliveryRecord).error).toBe('invalid_signature');
  });

  it('returns a sender’s HTML as it is, in JSON: escaping is the page’s', async () => {
    const answer = await get(`/api/deliveries/${encodeURIComponent(samples.ids.hostile)}`);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const record = answer.json as DeliveryRecord;
    expect(record.summary).toContain(HOSTILE.branch);
    expect(record.body).toContain(JSON.stringify(HOSTILE.commitMessage).slice(1, -1));
  });

  it('is 404 JSON for an unknown id, 400 for a malformed encoding', async () => {
    expect(await get('/api/deliveries/github%2Fnope')).toMatchObject({ status: 404, json: { error: 'not_found', message: expect.stringContaining('github/nope') } });
    expect(await get('/api/deliveries/%E0%A4%A')).toMatchObject({ status: 400, json: { error: 'bad_path' } });
  });
});

describe('/api/dlq', () => {
  const [messageId] = ['0f6e4b1c-2a7d-4e58-9c3b-5d8a1e7f2b64'];

  it('lists each record with why it is there, and closes the queues after', async () => {
    const answer = await get('/api/dlq');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([
      {
        messageId,
        deliveryId: 'b41e0c55-5c1e-11f1-9d0e-1f3a7c2b8e90',
        source: 'github',
        eventKind: 'push',
        attributes: expect.objectContaining({ outcome: 'notFound', status: '404', rule: 'build-code-changes', pipeline: `id:${STALE_PIPELINE}` }),
        sentAt: '2026-11-28T11:52:00.000Z',
        summary: `build-code-changes → id:${STALE_PIPELINE}: notFound, status 404, 1 attempt: Code Stream answered 404: pipeline ${STALE_PIPELINE} not found`,
      } satisfies DeadLetterItem,
    ]);
    expect({ opened: queues.opened, closed: queues.closed }).toEqual({ opened: 1, closed: 1 });
  });

  it('shows one record with its message, the body as text', async () => {
    const answer = await get(`/api/dlq/${messageId}`);
    expect(answer.status).toBe(200);
    const record = answer.json as DeadLetterDetail;
    expect(record.message).toMatchObject({ source: 'github', deliveryId: 'b41e0c55-5c1e-11f1-9d0e-1f3a7c2b8e90', headers: expect.objectContaining({ 'x-github-event': 'push' }) });
    expect(record.message?.body).toContain(HOSTILE.branch);
    expect(record).toMatchObject({ body: null, malformed: null });
    expect(await get('/api/dlq/unknown')).toMatchObject({ status: 404, json: { error: 'not_found' } });
  });

  it('redrives a record and counts it in the delivery log', async () => {
    const answer = await post(`/api/dlq/${messageId}/redrive`);
    expect(answer).toMatchObject({ status: 200, json: { messageId, sentAs: 'sent-1', historyMarked: true } satisfies Partial<RedriveAnswer> });
    expect(queues.redriven.map((record) => record.messageId)).toEqual([messageId]);
    expect((await history.get(samples.ids.hostile))?.redrives).toBe(1);
    expect(await get('/api/dlq')).toMatchObject({ json: [] });
    expect(await post(`/api/dlq/${messageId}/redrive`)).toMatchObject({ status: 404 });
  });

  it('a failed redrive is 502 with the reason, and the log is not touched', async () => {
    queues.failRedrive = 'cannot send it to the main queue: AccessDenied';
    expect(await post(`/api/dlq/${messageId}/redrive`)).toMatchObject({ status: 502, json: { error: 'redrive_failed', message: expect.stringContaining('AccessDenied') } });
    expect((await history.get(samples.ids.hostile))?.redrives).toBeUndefined();
  });

  it('a redrive the log cannot count still answers that it happened', async () => {
    jest.spyOn(history, 'markRedriven').mockRejectedValue(new Error('ProvisionedThroughputExceededException'));
    expect(await post(`/api/dlq/${messageId}/redrive`)).toMatchObject({ status: 200, json: { historyMarked: false, historyError: expect.stringContaining('ProvisionedThroughputExceededException') } });
  });

  it('replays a record through the current rules, beside the recorded decisions, sending nothing', async () => {
    const answer = await post(`/api/dlq/${messageId}/replay`);
    expect(answer.status).toBe(200);
    const replay = answer.json as ReplayAnswer;
    expect(replay).toMatchObject({ messageId, recordId: samples.ids.hostile, repeatOf: null });
    const now = replay.current[0]?.decisions.find((decision) => decision.rule === 'build-code-changes');
    expect(now).toMatchObject({ matched: true, pipeline: { id: '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11' } });
    expect(replay.recorded?.find((decision) => decision.rule === 'build-code-changes')).toMatchObject({ outcome: 'dead_lettered', pipeline: `id:${STALE_PIPELINE}` });
    expect(queues.redriven).toEqual([]);
  });

  it('a replay without a record in the log answers recorded: null', async () => {
    const empty = new InMemoryDeliveryHistory([]);
    await running.stop();
    running = await startConsole({ history: empty, queues: queues.open, configFile: SAMPLE_CONFIG, assetsDir: assets(), port: 0 });
    expect(await post(`/api/dlq/${messageId}/replay`)).toMatchObject({ status: 200, json: { recorded: null } });
  });

  it('an invalid config is a 500 with its problems, and the server goes on', async () => {
    const broken = path.join(mkdtempSync(path.join(tmpdir(), 'relay-console-')), 'broken.yaml');
    writeFileSync(broken, 'rules: [');
    await running.stop();
    running = await startConsole({ history, queues: queues.open, configFile: broken, assetsDir: assets(), port: 0 });
    expect(await post(`/api/dlq/${messageId}/replay`)).toMatchObject({ status: 500, json: { error: 'invalid_config', message: expect.any(String) } });
    expect((await get('/api/dlq')).status).toBe(200);
  });

  it('a queue that cannot be read is a 500 with the message, no stack', async () => {
    jest.spyOn(queues, 'readDeadLetters').mockRejectedValue(new CommandError('cannot read the dead-letter queue http://127.0.0.1:1/dlq: ECONNREFUSED'));
    const answer = await get('/api/dlq');
    expect(answer).toMatchObject({ status: 500, json: { error: 'failed', message: expect.stringContaining('ECONNREFUSED') } });
    expect(answer.text).not.toMatch(/\bat .*\.ts:\d+/);
    jest.spyOn(history, 'list').mockRejectedValue(new TypeError('boom'));
    expect(await get('/api/deliveries')).toMatchObject({ status: 500, json: { error: 'internal', message: 'boom' } });
    expect((await get('/api/dlq')).status).toBe(500);
  });
});

describe('the page and unknown routes', () => {
  it.each([
    ['/', 'text/html; charset=utf-8'],
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/app.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s', async (route, type) => {
    const answer = await get(route);
    expect(answer).toMatchObject({ status: 200, headers: { 'content-type': type } });
  });

  it('unknown paths are 404 JSON, wrong methods 405 JSON with Allow', async () => {
    expect(await get('/api/nothing')).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(await get('/index.php')).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(await post('/api/deliveries')).toMatchObject({ status: 405, headers: { allow: 'GET' }, json: { error: 'method_not_allowed' } });
    expect(await get('/api/dlq/x/redrive')).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(await consoleRequest(running.url, 'DELETE', '/api/dlq/x')).toMatchObject({ status: 405 });
    expect(await post('/app.js')).toMatchObject({ status: 405 });
  });

  it('the page is missing: startConsole says to build it', async () => {
    await expect(startConsole({ history, queues: queues.open, configFile: SAMPLE_CONFIG, assetsDir: mkdtempSync(path.join(tmpdir(), 'relay-none-')), port: 0 })).rejects.toThrow(
      /npm run build:console/,
    );
  });
});

describe('security', () => {
  it('sends the CSP and the other headers with the page and the API; the API is not cached', async () => {
    for (const route of ['/', '/app.js', '/api/deliveries', '/api/nothing']) {
      const { headers } = await get(route);
      expect(headers).toMatchObject({ 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    }
    expect((await get('/api/deliveries')).headers['cache-control']).toBe('no-store');
  });

  it('listens on 127.0.0.1 only', () => {
    expect(new URL(running.url).hostname).toBe('127.0.0.1');
  });

  it('answers Host 127.0.0.1:<port> and localhost:<port>, with the matching Origin', async () => {
    const { port } = new URL(running.url);
    expect((await get('/api/deliveries', { host: `localhost:${port}` })).status).toBe(200);
    expect((await get('/api/deliveries', { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await get('/api/deliveries', { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it.each([
    ['another Host (DNS rebinding)', { host: 'attacker.example:80' }],
    ['another port in Host', { host: '127.0.0.1:1' }],
    ['another Origin', { origin: 'http://evil.example' }],
    ['the other loopback name as Origin', { origin: 'http://localhost:PORT' }],
    ['Origin null', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site (a page on another port of this machine)', { 'sec-fetch-site': 'same-site' }],
  ])('refuses %s with 403 JSON', async (_, headers: Record<string, string>) => {
    const { port } = new URL(running.url);
    const sent = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.replace('PORT', port)]));
    for (const route of ['/', '/api/deliveries', `/api/deliveries/${encodeURIComponent(samples.ids.pushToMain)}`]) {
      const answer = await get(route, sent);
      expect(answer).toMatchObject({ status: 403, json: { error: 'forbidden', message: expect.any(String) } });
      expect(answer.headers['content-security-policy']).toBe(CSP);
    }
  });

  it('refuses a POST without the console’s Origin, and changes nothing', async () => {
    const route = '/api/dlq/0f6e4b1c-2a7d-4e58-9c3b-5d8a1e7f2b64/redrive';
    expect(await post(route, { origin: undefined })).toMatchObject({ status: 403, json: { error: 'forbidden', message: expect.stringContaining('Origin') } });
    expect(await post(route, { origin: 'http://evil.example' })).toMatchObject({ status: 403 });
    expect(await post(route, { 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403 });
    expect(queues.redriven).toEqual([]);
    expect(queues.opened).toBe(0);
  });
});
