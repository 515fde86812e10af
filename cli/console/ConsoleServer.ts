import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryRecord } from '../../lambda/history/DeliveryRecord';
import { CommandError } from '../errors';
import type { DeliveryHistoryReader } from '../history/DeliveryQuery';
import { DEFAULT_ASSETS_DIR, checkAssets, isAsset, readAsset } from './assets';
import type { ConsoleQueues } from './ConsoleQueues';
import { DeadLetterApi } from './DeadLetterApi';
import { SECURITY_HEADERS, refusal } from './guard';
import { HttpError } from './HttpError';
import { parseDeliveryQuery } from './parseDeliveryQuery';

export interface ConsoleOptions {
  /** The delivery log. The console does not close it: its owner does, after stop(). */
  history: DeliveryHistoryReader;
  /** Opens the relay's queues for one request; the console closes them after it. */
  queues: () => Promise<ConsoleQueues>;
  /** The config whose rules a replay runs. */
  configFile: string;
  /** The built page (`npm run build:console`). @default dist/console */
  assetsDir?: string;
  /** The port on 127.0.0.1; 0 for a free one. */
  port: number;
  /** In AWS, the idempotency table: a replay tells a repeat of an earlier delivery from it (local mode's is read from its state). */
  idempotencyTable?: string;
}

/** A console that is listening. */
export interface RunningConsole {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Stops listening and closes its connections. */
  stop(): Promise<void>;
}

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  /** The answer's JSON, from the path's decoded captures and the query string. */
  answer(captures: string[], search: URLSearchParams): Promise<unknown>;
}

/**
 * Starts the web console on 127.0.0.1: the delivery log, the dead-letter queue, redrive and a dry
 * run of a dead letter through the current rules, for the operator's own browser. Requests from
 * anywhere else are refused (guard.ts).
 * @throws CommandError when the page is not built, or the port cannot be listened on.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const assetsDir = options.assetsDir ?? DEFAULT_ASSETS_DIR;
  checkAssets(assetsDir);
  const deadLetters = new DeadLetterApi(options);
  const { history } = options;
  const routes: Route[] = [
    { method: 'GET', path: /^\/api\/deliveries$/, answer: (_, search) => history.list(parseDeliveryQuery(search)) },
    { method: 'GET', path: /^\/api\/deliveries\/(.+)$/, answer: ([id = '']) => delivery(history, id) },
    { method: 'GET', path: /^\/api\/dlq$/, answer: () => deadLetters.list() },
    { method: 'GET', path: /^\/api\/dlq\/([^/]+)$/, answer: ([messageId = '']) => deadLetters.show(messageId) },
    { method: 'POST', path: /^\/api\/dlq\/([^/]+)\/redrive$/, answer: ([messageId = '']) => deadLetters.redrive(messageId) },
    { method: 'POST', path: /^\/api\/dlq\/([^/]+)\/replay$/, answer: ([messageId = '']) => deadLetters.replay(messageId) },
  ];
  let port = options.port;
  const server = createServer((request, response) => {
    handle(request, response, port, assetsDir, routes).catch(() => response.destroy());
  });
  port = await listen(server, options.port);
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The page's keep-alive connections would hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, port: number, assetsDir: string, routes: readonly Route[]): Promise<void> {
  const refused = refusal(request, port);
  if (refused !== undefined) return sendJson(response, 403, { error: 'forbidden', message: refused });
  const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
  try {
    if (isAsset(url.pathname)) {
      if (request.method !== 'GET') throw new HttpError(405, 'method_not_allowed', `${url.pathname} takes GET only`, { Allow: 'GET' });
      const { body, type } = await readAsset(assetsDir, url.pathname);
      response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-cache' }).end(body);
      return;
    }
    const matching = routes.filter((route) => route.path.test(url.pathname));
    if (matching.length === 0) throw new HttpError(404, 'not_found', `the console has nothing at ${url.pathname}`);
    const route = matching.find((candidate) => candidate.method === request.method);
    if (route === undefined) {
      const allowed = matching.map((candidate) => candidate.method).join(', ');
      throw new HttpError(405, 'method_not_allowed', `${url.pathname} takes ${allowed}, not ${request.method ?? ''}`, { Allow: allowed });
    }
    const captures = (route.path.exec(url.pathname) ?? []).slice(1).map(decodeSegment);
    sendJson(response, 200, await route.answer(captures, url.searchParams));
  } catch (error) {
    if (error instanceof HttpError) return sendJson(response, error.status, { error: error.code, message: error.message }, error.headers);
    // The message says what failed (a queue or table that cannot be read, an invalid config); the stack stays here.
    if (error instanceof CommandError) return sendJson(response, 500, { error: error.code, message: error.message });
    sendJson(response, 500, { error: 'internal', message: error instanceof Error ? error.message : String(error) });
  }
}

/** @throws HttpError 404 when the log has no such delivery. */
async function delivery(history: DeliveryHistoryReader, id: string): Promise<DeliveryRecord> {
  const record = await history.get(id);
  if (record === undefined) throw new HttpError(404, 'not_found', `the delivery log (${history.origin}) has no delivery ${id}`);
  return record;
}

/** @throws HttpError 400 for a malformed percent-encoding. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad_path', `the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, { ...SECURITY_HEADERS, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) })
    .end(text);
}

/** Listens on loopback only; resolves to the port. @throws CommandError when the port is taken. */
async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new CommandError(`the console cannot listen on 127.0.0.1:${port}: ${error.message}`, { cause: error })));
    server.listen(port, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}
