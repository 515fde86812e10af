import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { ReportingProvider } from '../../lambda/status/CommitStatus';

/** What the stub recognised a request as: one provider's status endpoint, or GitHub's installation-token exchange. */
export type StubRoute = ReportingProvider | 'github-installation-token';

/** One request as the stub received it. */
export interface RecordedRequest {
  route?: StubRoute;
  method: string;
  /** Path and query, as sent (still encoded). */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: unknown;
}

/**
 * A scripted answer: `status` (with headers and a body) or `reset` (the connection reset unanswered),
 * for requests of `route` (any by default), `times` times (always when absent).
 */
export type ScriptedAnswer = { route?: StubRoute; times?: number } & ({ status: number; headers?: Record<string, string>; body?: unknown } | { reset: true });

/** How long an installation token is valid: an hour, as GitHub's. */
const TOKEN_LIFETIME_MS = 60 * 60_000;

/** Each provider's API below the stub's URL, as a self-hosted server would have it. */
const API_PREFIXES: Record<ReportingProvider, string> = {
  github: '/github/api/v3',
  gitlab: '/gitlab/api/v4',
  'bitbucket-cloud': '/bitbucket-cloud/2.0',
  'bitbucket-server': '/bitbucket-server',
  gitea: '/gitea/api/v1',
  forgejo: '/forgejo/api/v1',
};

const ROUTES: { route: StubRoute; pattern: RegExp; answer: number }[] = [
  { route: 'github-installation-token', pattern: /^\/github\/api\/v3\/app\/installations\/[^/]+\/access_tokens$/, answer: 201 },
  { route: 'github', pattern: /^\/github\/api\/v3\/repos\/[^/]+\/[^/]+\/statuses\/[^/]+$/, answer: 201 },
  { route: 'gitlab', pattern: /^\/gitlab\/api\/v4\/projects\/[^/]+\/statuses\/[^/]+$/, answer: 201 },
  { route: 'bitbucket-cloud', pattern: /^\/bitbucket-cloud\/2\.0\/repositories\/[^/]+\/[^/]+\/commit\/[^/]+\/statuses\/build$/, answer: 201 },
  { route: 'bitbucket-server', pattern: /^\/bitbucket-server\/rest\/api\/latest\/projects\/[^/]+\/repos\/[^/]+\/commits\/[^/]+\/builds$/, answer: 204 },
  { route: 'gitea', pattern: /^\/gitea\/api\/v1\/repos\/[^/]+\/[^/]+\/statuses\/[^/]+$/, answer: 201 },
  { route: 'forgejo', pattern: /^\/forgejo\/api\/v1\/repos\/[^/]+\/[^/]+\/statuses\/[^/]+$/, answer: 201 },
];

/**
 * One loopback server (a free port, so that suites run side by side) that answers the commit-status
 * endpoints of GitHub, GitLab, Bitbucket Cloud and Data Center, Gitea and Forgejo as they answer a
 * post they accept, and GitHub's installation-token exchange with a fresh token; it records every
 * request. `script` makes it answer otherwise, N times or always. With `tls`, it speaks HTTPS.
 */
export class GitStatusStub {
  readonly requests: RecordedRequest[] = [];
  /** Every installation token the exchange handed out, in order. */
  readonly issuedTokens: string[] = [];
  readonly #script: ScriptedAnswer[] = [];
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: ReturnType<typeof createHttpServer>,
    readonly url: string,
  ) {}

  static async start(options: { tls?: { cert: string; key: string } } = {}): Promise<GitStatusStub> {
    const server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const stub = new GitStatusStub(server, `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void stub.handle(request, response));
    const sockets = stub.#sockets;
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return stub;
  }

  /** The provider's API URL on this stub, what a StatusTarget's apiUrl takes. */
  apiUrl(provider: ReportingProvider): string {
    return `${this.url}${API_PREFIXES[provider]}`;
  }

  /** Adds answers, tried in order before the default one; an answer with `times` is used up after that many requests. */
  script(...answers: ScriptedAnswer[]): void {
    this.#script.push(...answers.map((answer) => ({ ...answer })));
  }

  /** The requests of one route. */
  requestsOf(route: StubRoute): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    const route = ROUTES.find((candidate) => candidate.pattern.test(path.split('?')[0] ?? ''));
    this.requests.push({ route: route?.route, method: request.method ?? '', path, headers: request.headers, body: parseJson(Buffer.concat(chunks).toString('utf8')) });
    const scripted = this.#take(route?.route);
    if (scripted && 'reset' in scripted) {
      request.socket.resetAndDestroy();
      return;
    }
    if (scripted) return send(response, scripted.status, scripted.body ?? { message: `scripted ${scripted.status}` }, scripted.headers);
    if (!route || request.method !== 'POST') return send(response, 404, { message: 'Not Found' });
    if (route.route === 'github-installation-token') {
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      this.issuedTokens.push(token);
      return send(response, 201, { token, expires_at: new Date(Date.now() + TOKEN_LIFETIME_MS).toISOString().replace(/\.\d+Z$/, 'Z') });
    }
    if (route.answer === 204) return send(response, 204, undefined);
    return send(response, route.answer, { id: this.requests.length });
  }

  #take(route: StubRoute | undefined): ScriptedAnswer | undefined {
    const index = this.#script.findIndex((answer) => answer.route === undefined || answer.route === route);
    const answer = this.#script[index];
    if (!answer) return undefined;
    if (answer.times !== undefined) {
      answer.times -= 1;
      if (answer.times <= 0) this.#script.splice(index, 1);
    }
    return answer;
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { ...(text ? { 'Content-Type': typeof body === 'string' ? 'text/html' : 'application/json' } : {}), ...headers });
  response.end(text);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
