import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext } from './lambdaContext';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * HTTP in front of the ingress handler, speaking API Gateway's REST proxy contract as the stack's
 * API does: `POST /hooks/{source}` with the body as bytes (base64, as binaryMediaTypes `*\/*`
 * gives), and `GET /health`, 200 once `ready` says so. Stopping closes the port to new requests
 * and waits for those in flight.
 */
export class ApiGatewayServer {
  readonly #server: Server;
  #inFlight = 0;
  #idle?: () => void;

  constructor(
    private readonly handler: Handler,
    private readonly ready: () => boolean,
  ) {
    this.#server = createServer((request, response) => void this.#serve(request, response));
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

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#inFlight += 1;
    try {
      const url = new URL(request.url ?? '/', 'http://local');
      if (url.pathname === '/health') {
        return send(response, this.ready() ? 200 : 503, { status: this.ready() ? 'ready' : 'starting' });
      }
      const match = /^\/hooks\/([^/]+)$/.exec(url.pathname);
      if (!match?.[1]) return send(response, 404, { error: 'not_found', message: `no route for ${url.pathname}: webhooks go to POST /hooks/{source}` });
      const body = await readBody(request);
      const result = await this.handler(toEvent(request, url, decodeURIComponent(match[1]), body), lambdaContext({ functionName: 'ingress', timeoutMs: 29_000, memoryLimitInMB: 512 }));
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
    requestContext: { requestId: randomUUID(), httpMethod: request.method ?? 'GET', path: url.pathname } as APIGatewayProxyEvent['requestContext'],
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}
