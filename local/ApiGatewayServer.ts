import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DEFAULT_MAX_BODY_BYTES } from '../lambda/ingress/acceptWebhook';
import { lambdaContext } from './lambdaContext';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ApiGatewayServerOptions {
  /** The largest body read, in bytes; default the ingress's DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
}

/**
 * HTTP in front of the ingress handler, speaking API Gateway's REST proxy contract as the stack's
 * API does: `POST /hooks/{source}` with the body as bytes (base64, as binaryMediaTypes `*\/*`
 * gives), and `GET /health`, 200 once `ready` says so. A body is read up to `maxBodyBytes`: one
 * declared or found larger gets 413 and the connection is closed, the rest unread. A path that
 * cannot be decoded gets 400. Stopping closes the port to new requests and waits for those in
 * flight.
 */
export class ApiGatewayServer {
  readonly #server: Server;
  readonly #maxBodyBytes: number;
  #inFlight = 0;
  #idle?: () => void;

  constructor(
    private readonly handler: Handler,
    private readonly ready: () => boolean,
    options: ApiGatewayServerOptions = {},
  ) {
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#server = createServer((request, response) => void this.#serve(request, response));
    // Left to itself Node answers `Expect: 100-continue` at once; this way a body too large is refused unsent.
    this.#server.on('checkContinue', (request, response) => void this.#serve(request, response, true));
  }

  /** Listens on the port (0 for a free one); resolves to the base URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Refuses new connections, lets the requests in flight finish, then resolves. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    this.#server.closeAllConnections();
    await closed;
  }

  async #serve(request: IncomingMessage, response: ServerResponse, expectsContinue = false): Promise<void> {
    this.#inFlight += 1;
    try {
      const target = request.url ?? '/';
      const route = routeOf(target);
      if (!route) return send(response, 400, { error: 'malformed_path', message: `the path ${target} cannot be decoded` });
      const { url, source } = route;
      if (url.pathname === '/health') {
        return send(response, this.ready() ? 200 : 503, { status: this.ready() ? 'ready' : 'starting' });
      }
      if (!source) return send(response, 404, { error: 'not_found', message: `no route for ${url.pathname}: webhooks go to POST /hooks/{source}` });
      const limit = this.#maxBodyBytes;
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > limit) return refuseBody(response, `the body is ${declared} bytes; the limit is ${limit}`);
      if (expectsContinue) response.writeContinue();
      const body = await readBody(request, limit);
      if (!body) return refuseBody(response, `the body is over the limit of ${limit} bytes`);
      const result = await this.handler(toEvent(request, url, source, body), lambdaContext({ functionName: 'ingress', timeoutMs: 29_000, memoryLimitInMB: 512 }));
      response.writeHead(result.statusCode, result.headers as Record<string, string>);
      response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      send(response, 500, { error: 'internal_error', message: (error as Error).message });
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }
}

function toEvent(request: IncomingMessage, url: URL, source: string, body: Buffer): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const value = request.rawHeaders[index + 1] ?? '';
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  return {
    httpMethod: request.method ?? 'GET',
    path: url.pathname,
    resource: '/hooks/{source}',
    pathParameters: { source },
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries([...url.searchParams.keys()].map((key) => [key, url.searchParams.getAll(key)])),
    stageVariables: null,
    body: body.toString('base64'),
    isBase64Encoded: true,
    // The sender's address and agent, as API Gateway gives them (the delivery log keeps them).
    requestContext: {
      requestId: randomUUID(),
      httpMethod: request.method ?? 'GET',
      path: url.pathname,
      identity: { sourceIp: request.socket.remoteAddress ?? '', userAgent: request.headers['user-agent'] ?? null },
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/**
 * The URL and, on `/hooks/{source}`, the source decoded; undefined if either cannot be. Origin-form
 * (`/hooks/a`) is a path even when it starts `//`; absolute-form (`http://x/hooks/a`) is a URL.
 */
function routeOf(target: string): { url: URL; source?: string } | undefined {
  try {
    const url = new URL(target.startsWith('/') ? `http://local${target}` : target);
    const encoded = /^\/hooks\/([^/]+)$/.exec(url.pathname)?.[1];
    return { url, source: encoded && decodeURIComponent(encoded) };
  } catch {
    return undefined;
  }
}

/**
 * The body, or undefined as soon as it passes `limit` bytes. Not a `for await` loop: leaving one
 * destroys the request, and with it the socket the 413 is to go out on.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length <= limit) return void chunks.push(chunk);
      // What still arrives before the connection closes is dropped.
      request.off('data', onData);
      resolve(undefined);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('close', () => reject(new Error('the client went away before the end of the body')));
  });
}

/**
 * 413 with `Connection: close`: Node then closes the connection once the answer is out, the rest
 * of the body unread, rather than read it to keep the connection.
 */
function refuseBody(response: ServerResponse, message: string): void {
  send(response, 413, { error: 'body_too_large', message }, { Connection: 'close' });
}

function send(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
