import { randomBytes } from 'node:crypto';
import { type ClientRequest, type IncomingHttpHeaders, Agent, request as httpRequest } from 'node:http';
import { type Socket, connect } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DEFAULT_MAX_BODY_BYTES } from '../../../lambda/ingress/acceptWebhook';
import { ApiGatewayServer, type ApiGatewayServerOptions } from '../../../local/ApiGatewayServer';
import { until } from '../../support/until';

const LIMIT = 1024;

let server: ApiGatewayServer;
let base: string;
let calls: APIGatewayProxyEvent[];
// Keep-alive, as webhook senders mostly are: a connection that closes is then the server's doing.
const agent = new Agent({ keepAlive: true });

/** A server on a free port whose handler records each event and accepts it. */
async function start(options?: ApiGatewayServerOptions): Promise<void> {
  calls = [];
  server = new ApiGatewayServer(
    async (event) => {
      calls.push(event);
      return { statusCode: 202, headers: { 'Content-Type': 'application/json' }, body: '{"accepted":true}' };
    },
    () => true,
    options,
  );
  base = await server.listen(0);
}

beforeEach(() => start({ maxBodyBytes: LIMIT }));

afterEach(() => server.close());

afterAll(() => agent.destroy());

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request left open for the test to write; `answer` settles once the whole response is in. */
function open(path: string, options: { method?: string; headers?: Record<string, string | number> } = {}): { request: ClientRequest; answer: Promise<Answer> } {
  const { hostname, port } = new URL(base);
  const request = httpRequest({ hostname, port, path, method: options.method ?? 'POST', headers: options.headers, agent });
  const answer = new Promise<Answer>((resolve, reject) => {
    // Also after the answer: writing on once the server has closed fails, and the failure must not go unhandled.
    request.on('error', reject);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  return { request, answer };
}

function expectTooLarge(answer: Answer, message: string): void {
  expect(answer.status).toBe(413);
  expect(answer.headers.connection).toBe('close');
  expect(JSON.parse(answer.body)).toEqual({ error: 'body_too_large', message });
}

/** The server takes a delivery after whatever the test did to it. */
async function expectStillServing(): Promise<void> {
  const before = calls.length;
  const response = await fetch(`${base}/hooks/github`, { method: 'POST', body: 'after' });
  expect(response.status).toBe(202);
  expect(calls).toHaveLength(before + 1);
  expect(Buffer.from(calls[before]?.body ?? '', 'base64').toString()).toBe('after');
}

describe('a body over the limit', () => {
  it('is refused on its Content-Length before a byte of it is sent', async () => {
    const { request, answer } = open('/hooks/github', { headers: { 'Content-Length': LIMIT + 1 } });
    // The head alone, the body neither written nor ended: the answer can only come from the header.
    request.flushHeaders();
    expectTooLarge(await answer, `the body is ${LIMIT + 1} bytes; the limit is ${LIMIT}`);
    expect(calls).toEqual([]);
    await expectStillServing();
  });

  it('is refused as soon as a chunked body passes the limit, before its end', async () => {
    const { request, answer } = open('/hooks/github');
    request.write(Buffer.alloc(LIMIT));
    request.write(Buffer.alloc(1));
    expectTooLarge(await answer, `the body is over the limit of ${LIMIT} bytes`);
    expect(calls).toEqual([]);
    await expectStillServing();
  });

  it('reaches fetch as a 413 while it is still sending', async () => {
    const response = await fetch(`${base}/hooks/github`, { method: 'POST', body: Buffer.alloc(8 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ error: 'body_too_large', message: `the body is ${8 * 1024 * 1024} bytes; the limit is ${LIMIT}` });
    expect(calls).toEqual([]);
  });

  it.each(['content-length', 'chunked'] as const)('is left unread (%s): the server closes the connection on a client that sends on', async (framing) => {
    const total = 256 * 1024 * 1024;
    const { answer, written } = await sendRegardless(framing, total);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    // Socket buffers take a few MiB before the server closes; a server that read on would take it all.
    expect(written).toBeLessThan(total);
    expect(calls).toEqual([]);
    await expectStillServing();
  });

  it('is refused without "100 Continue" to a client that asks first', async () => {
    const { request, answer } = open('/hooks/github', { headers: { 'Content-Length': LIMIT + 1, Expect: '100-continue' } });
    let continued = false;
    request.once('continue', () => (continued = true));
    expectTooLarge(await answer, `the body is ${LIMIT + 1} bytes; the limit is ${LIMIT}`);
    expect(continued).toBe(false);
    expect(calls).toEqual([]);
  });

  it('lets close() finish while the refused client still holds its connection', async () => {
    const { request, answer } = open('/hooks/github');
    request.write(Buffer.alloc(LIMIT + 1));
    expectTooLarge(await answer, `the body is over the limit of ${LIMIT} bytes`);
    await server.close();
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('is measured against the ingress default when no limit is given', async () => {
    await server.close();
    await start();
    const { request, answer } = open('/hooks/github', { headers: { 'Content-Length': DEFAULT_MAX_BODY_BYTES + 1 } });
    request.flushHeaders();
    expectTooLarge(await answer, `the body is ${DEFAULT_MAX_BODY_BYTES + 1} bytes; the limit is ${DEFAULT_MAX_BODY_BYTES}`);
    const response = await fetch(`${base}/hooks/github`, { method: 'POST', body: Buffer.alloc(DEFAULT_MAX_BODY_BYTES) });
    expect(response.status).toBe(202);
    expect(calls).toHaveLength(1);
  });
});

describe('a body at the limit', () => {
  it.each([
    ['with a Content-Length', 1],
    ['chunked', 3],
  ])('reaches the handler intact, base64-encoded (%s)', async (_framing, pieces) => {
    const body = randomBytes(LIMIT);
    const chunked = pieces > 1;
    const { request, answer } = open('/hooks/github', { headers: chunked ? {} : { 'Content-Length': LIMIT } });
    const step = Math.ceil(LIMIT / pieces);
    for (let start = 0; start < LIMIT; start += step) request.write(body.subarray(start, start + step));
    request.end();
    expect((await answer).status).toBe(202);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.isBase64Encoded).toBe(true);
    expect(calls[0]?.body).toBe(body.toString('base64'));
    expect(calls[0]?.headers['Transfer-Encoding'] === 'chunked').toBe(chunked);
  });

  it('goes out after "100 Continue" to a client that asks first', async () => {
    const { request, answer } = open('/hooks/github', { headers: { 'Content-Length': LIMIT, Expect: '100-continue' } });
    request.once('continue', () => request.end(Buffer.alloc(LIMIT, 'x')));
    expect((await answer).status).toBe(202);
    expect(Buffer.from(calls[0]?.body ?? '', 'base64')).toEqual(Buffer.alloc(LIMIT, 'x'));
  });
});

describe('the request target', () => {
  it.each(['/hooks/%', '/hooks/%E0%A4%A', 'http://[/hooks/a'])('%s cannot be decoded: 400, not 500', async (path) => {
    const { request, answer } = open(path);
    request.end('{}');
    const { status, body } = await answer;
    expect(status).toBe(400);
    expect(JSON.parse(body)).toEqual({ error: 'malformed_path', message: `the path ${path} cannot be decoded` });
    expect(calls).toEqual([]);
    await expectStillServing();
  });

  it('in absolute form is routed by its path', async () => {
    const { request, answer } = open('http://x/hooks/a%20b', { method: 'GET' });
    request.end();
    expect((await answer).status).toBe(202);
    expect(calls[0]).toMatchObject({ path: '/hooks/a%20b', pathParameters: { source: 'a b' } });
  });

  it('starting "//" is a path, not a host', async () => {
    const { request, answer } = open('//hooks/a');
    request.end('{}');
    const { status, body } = await answer;
    expect(status).toBe(404);
    expect(JSON.parse(body).message).toMatch(/^no route for \/\/hooks\/a:/);
    expect(calls).toEqual([]);
  });
});

/**
 * Sends `total` bytes of body over a bare socket as fast as the connection takes them, heedless of
 * any answer (as a client that does not read one does), until the server closes the connection.
 */
async function sendRegardless(framing: 'content-length' | 'chunked', total: number): Promise<{ answer: string; written: number }> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let answer = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  // EPIPE or ECONNRESET once the server has closed: what the test is waiting for.
  socket.on('error', () => undefined);
  socket.once('close', () => (closed = true));
  const framingHeader = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`;
  socket.write(`POST /hooks/github HTTP/1.1\r\nHost: ${hostname}\r\n${framingHeader}\r\n\r\n`);
  const data = Buffer.alloc(64 * 1024, 'a');
  const frame = framing === 'chunked' ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data;
  let written = 0;
  while (!closed && written < total) {
    written += data.length;
    if (!socket.write(frame)) await drainedOrClosed(socket);
  }
  // Everything was sent: the server read it all. Ending lets the test fail on `written` rather than time out.
  socket.end();
  await until(() => closed);
  return { answer, written };
}

function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.once('drain', done).once('close', done);
  });
}
