import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { executionState } from '../../lambda/codestream/executionState';
import type { Execution, ExecutionRequest, Executions } from '../../lambda/codestream/types';
import { type PendingStatus, type StatusChange, statusChangeProblems, usualMessage } from './executionLifecycle';
import { type Fault, FaultPlan, type FaultPlanSpec, type FaultTarget, faultPlanProblems } from './FaultPlan';
import type { SimulatedGitWebhook, SimulatedPipeline, SimulatedRegistryWebhook, SimulatedUser, SimulatorSeed } from './seed';
import { TokenIssuer } from './TokenIssuer';
import { validateExecutionRequest } from './validateExecutionRequest';

export interface SimulatorOptions {
  /** @default 0, a free port */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  seed?: SimulatorSeed;
  /** Lifetime of issued bearer tokens. @default 28800 (8 h, vRA's) */
  tokenLifetimeSeconds?: number;
  /** Status of a successful execute answer; the swagger allows both. @default 202 */
  executeStatus?: 200 | 202;
  faults?: FaultPlanSpec;
  /** Revoke every token before each Nth execute request, as an expiry mid-run would. */
  expireTokensEvery?: number;
  /** Clock, in epoch ms. @default Date.now */
  now?: () => number;
  /** Called once each request has been answered (or reset), e.g. to print it. */
  onRequest?: (record: RecordedRequest) => void;
  /**
   * Serve HTTPS with this certificate and key (PEM), as an appliance with a company CA's
   * certificate does. @default plain HTTP
   */
  tls?: { cert: string; key: string };
}

export type Endpoint =
  | 'login.refreshToken'
  | 'login.apiToken'
  | 'execute.byId'
  | 'execute.byName'
  | 'execution.get'
  | 'executions.list'
  | 'pipeline.get'
  | 'gitWebhooks.list'
  | 'registryWebhooks.list'
  | 'control'
  | 'unknown';

/** One request as the simulator saw it. Credentials and bearer tokens are never recorded. */
export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  endpoint: Endpoint;
  /** The answer's status; absent when the connection was reset. */
  status?: number;
  /** The injected fault, if any. */
  fault?: Fault['kind'];
  /** The user the bearer token or credential belongs to. */
  user?: string;
  pipelineId?: string;
  executionId?: string;
  /** The request body as JSON, with login credentials replaced by `[redacted]`. */
  body?: unknown;
  /** The message of an error answer. */
  error?: string;
}

/** The swagger's `Pipeline`, with the fields the simulator knows. */
export interface ServedPipeline {
  id: string;
  name: string;
  project: string;
  description: string;
  enabled: boolean;
  input: Record<string, string>;
  _link: string;
}

/** The swagger's list envelope (`Pipelines`, `GitWebhooks`, `DockerRegistryWebhooks`, `Executions`). */
export interface ServedList<T> {
  count: number;
  totalCount: number;
  links: string[];
  documents: Record<string, T>;
}

/** An execution the simulator created, as served (with the swagger's fields that change as it runs), and the pipeline it belongs to. */
export interface SimulatedExecution extends Execution {
  statusMessage: string;
  updatedAt: string;
  _updateTimeInMicros: number;
  /** From creation to the end; 0 until it ends. */
  _durationInMicros: number;
  pipelineId: string;
  request: ExecutionRequest;
}

interface Route {
  method: string;
  pattern: RegExp;
  endpoint: Endpoint;
}

// Order matters: the by-id pattern must not swallow `{project}/{name}`, and vice versa.
const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/iaas\/api\/login$/, endpoint: 'login.refreshToken' },
  { method: 'POST', pattern: /^\/csp\/gateway\/am\/api\/auth\/api-tokens\/authorize$/, endpoint: 'login.apiToken' },
  { method: 'POST', pattern: /^\/codestream\/api\/pipelines\/([^/]+)\/executions$/, endpoint: 'execute.byId' },
  { method: 'GET', pattern: /^\/codestream\/api\/pipelines\/([^/]+)\/executions$/, endpoint: 'executions.list' },
  { method: 'POST', pattern: /^\/codestream\/api\/pipelines\/([^/]+)\/([^/]+)\/executions$/, endpoint: 'execute.byName' },
  { method: 'GET', pattern: /^\/codestream\/api\/pipelines\/([^/]+)\/([^/]+)\/executions$/, endpoint: 'executions.list' },
  { method: 'GET', pattern: /^\/codestream\/api\/executions\/([^/]+)$/, endpoint: 'execution.get' },
  // After the executions routes, so that `{id}/executions` is not read as `{project}/{name}`.
  { method: 'GET', pattern: /^\/codestream\/api\/pipelines\/([^/]+)$/, endpoint: 'pipeline.get' },
  { method: 'GET', pattern: /^\/codestream\/api\/pipelines\/([^/]+)\/([^/]+)$/, endpoint: 'pipeline.get' },
  { method: 'GET', pattern: /^\/codestream\/api\/git-webhooks$/, endpoint: 'gitWebhooks.list' },
  { method: 'GET', pattern: /^\/codestream\/api\/registry-webhooks$/, endpoint: 'registryWebhooks.list' },
  { method: 'GET', pattern: /^\/_simulator\/(requests|executions)$/, endpoint: 'control' },
  { method: 'PUT', pattern: /^\/_simulator\/(faults)$/, endpoint: 'control' },
  { method: 'PUT', pattern: /^\/_simulator\/(executions)\/([^/]+)$/, endpoint: 'control' },
  { method: 'POST', pattern: /^\/_simulator\/(tokens\/expire)$/, endpoint: 'control' },
];

const MAX_BODY_BYTES = 1024 * 1024;
const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * An HTTP server that answers the Code Stream calls the relay makes as Aria Automation does:
 * the two logins, both execute endpoints, the execution reads, and the reads of pipelines and
 * Git and registry webhooks, with expiring tokens, 401, 403,
 * 404 and 400 where the real API gives them, and faults injected on demand. Executions run until
 * their pipeline's seeded `run`, or {@link setExecutionStatus}, ends them.
 *
 * @example
 * const simulator = new CodeStreamSimulator({ seed: { users: [{ name: 'relay', refreshToken: 'rt' }], pipelines: [{ id: 'p1', project: 'demo', name: 'build' }] } });
 * const url = await simulator.start();
 * // … point a CodeStreamClient at url …
 * await simulator.stop();
 */
export class CodeStreamSimulator {
  readonly #options: SimulatorOptions;
  readonly #now: () => number;
  readonly #tokens: TokenIssuer;
  readonly #requests: RecordedRequest[] = [];
  readonly #executions = new Map<string, SimulatedExecution>();
  /** The status each execution is yet to take, from its pipeline's run or the control endpoint. */
  readonly #pending = new Map<string, PendingStatus>();
  readonly #indexes = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #users: SimulatedUser[];
  #pipelines: SimulatedPipeline[];
  readonly #gitWebhooks: SimulatedGitWebhook[];
  readonly #registryWebhooks: SimulatedRegistryWebhook[];
  #faults: FaultPlan;
  #executeCount = 0;
  #server?: Server;
  readonly #sockets = new Set<Socket>();
  #url?: string;

  constructor(options: SimulatorOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#users = options.seed?.users ?? [];
    this.#pipelines = options.seed?.pipelines ?? [];
    this.#gitWebhooks = options.seed?.gitWebhooks ?? [];
    this.#registryWebhooks = options.seed?.registryWebhooks ?? [];
    this.#faults = new FaultPlan(options.faults);
    this.#tokens = new TokenIssuer((options.tokenLifetimeSeconds ?? 28_800) * 1000, this.#now);
  }

  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:41234` (https with `tls`). */
  async start(): Promise<string> {
    const handle = (request: IncomingMessage, response: ServerResponse) => void this.#handle(request, response);
    const { tls } = this.#options;
    const server: Server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, handle) : createServer(handle);
    // closeAllConnections() misses sockets whose TLS handshake never finished: stop destroys them too.
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 0, this.#options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    this.#url = `${tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  get url(): string {
    if (!this.#url) throw new Error('the simulator is not started');
    return this.#url;
  }

  /** Every request received so far, in order. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** How many requests reached an endpoint. */
  count(endpoint: Endpoint): number {
    return this.#requests.filter((request) => request.endpoint === endpoint).length;
  }

  /** Every execution created so far, each with the status it has by the clock now. */
  get executions(): SimulatedExecution[] {
    return [...this.#executions.values()].map((execution) => this.#current(execution));
  }

  /**
   * Gives an execution a status now, or `seconds` from now (it keeps its status until then),
   * replacing what its pipeline's run had in store. Returns the execution as it is now.
   * @throws for an unknown execution, an invalid change, or an execution that has ended.
   */
  setExecutionStatus(id: string, change: StatusChange): SimulatedExecution {
    const found = this.#executions.get(id);
    if (!found) throw new HttpProblem(404, `Execution with id '${id}' not found`);
    const problems = statusChangeProblems(change);
    if (problems.length > 0) throw new HttpProblem(400, `invalid status change: ${problems.join('; ')}`);
    const execution = this.#current(found);
    if (executionState(execution.status).ended) {
      throw new HttpProblem(409, `Execution with id '${id}' has ended (${execution.status}); an ended execution does not change`);
    }
    const { status, statusMessage = usualMessage(status), seconds = 0 } = change;
    this.#pending.set(id, { at: this.#now() + Math.round(seconds * 1000), status, statusMessage });
    return this.#current(execution);
  }

  /** Replaces the fault plan; throws on an invalid one. */
  setFaults(spec: FaultPlanSpec): void {
    this.#faults = new FaultPlan(spec);
  }

  /** Adds or replaces pipelines by id. */
  setPipelines(pipelines: SimulatedPipeline[]): void {
    const byId = new Map(this.#pipelines.map((pipeline) => [pipeline.id, pipeline]));
    for (const pipeline of pipelines) byId.set(pipeline.id, pipeline);
    this.#pipelines = [...byId.values()];
  }

  /** Replaces the users and their credentials, as a credential rotation would. */
  setUsers(users: SimulatedUser[]): void {
    this.#users = users;
  }

  /** Revokes every bearer token issued so far; the next call with one gets 401. */
  expireTokens(): number {
    return this.#tokens.revokeAll();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const method = request.method ?? 'GET';
    const route = ROUTES.find((candidate) => candidate.method === method && candidate.pattern.test(url.pathname));
    const record: RecordedRequest = {
      seq: this.#requests.length + 1,
      at: new Date(this.#now()).toISOString(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      endpoint: route?.endpoint ?? 'unknown',
    };
    this.#requests.push(record);
    try {
      const raw = await readBody(request);
      if (!route) {
        const known = ROUTES.some((candidate) => candidate.pattern.test(url.pathname));
        throw new HttpProblem(known ? 405 : 404, known ? `${method} is not allowed on ${url.pathname}` : `no such endpoint: ${url.pathname}`);
      }
      const params = (route.pattern.exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
      const target = faultTarget(route.endpoint);
      if (target) {
        const fault = this.#faults.next(target);
        if (fault.kind !== 'pass') record.fault = fault.kind;
        if (fault.kind === 'reset') return this.#reset(request, response, record);
        if (fault.kind === 'status') {
          const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter };
          return this.#reply(response, record, fault.status, fault.body ?? { message: `simulated ${fault.status}` }, headers);
        }
        if (fault.kind === 'slow') await this.#delay(fault.delayMs);
      }
      const answer = await this.#answer(route.endpoint, params, url, raw, request, record);
      this.#reply(response, record, answer.status, answer.body);
    } catch (error) {
      if (error instanceof HttpProblem) {
        this.#reply(response, record, error.status, { message: error.message, statusCode: error.status }, error.headers);
      } else {
        this.#reply(response, record, 500, { message: `simulator error: ${(error as Error).message}`, statusCode: 500 });
      }
    }
  }

  async #answer(
    endpoint: Endpoint,
    params: string[],
    url: URL,
    raw: Buffer,
    request: IncomingMessage,
    record: RecordedRequest,
  ): Promise<{ status: number; body: unknown }> {
    switch (endpoint) {
      case 'login.refreshToken':
        return this.#loginWithRefreshToken(raw, record);
      case 'login.apiToken':
        return this.#authorizeApiToken(raw, request, record);
      case 'execute.byId':
      case 'execute.byName':
        return this.#execute(endpoint, params, url, raw, request, record);
      case 'execution.get': {
        this.#authenticate(request, record);
        const execution = this.#executions.get(params[0] ?? '');
        if (!execution) throw new HttpProblem(404, `Execution with id '${params[0]}' not found`);
        record.executionId = execution.id;
        return { status: 200, body: publicExecution(this.#current(execution)) };
      }
      case 'executions.list': {
        this.#authenticate(request, record);
        const [first = '', second] = params;
        const pipeline = second === undefined ? this.#pipelines.find((p) => p.id === first) : this.#pipelines.find((p) => p.project === first && p.name === second);
        if (!pipeline) throw new HttpProblem(404, `Pipeline ${second === undefined ? `with id '${first}'` : `'${first}/${second}'`} not found`);
        return { status: 200, body: this.#listExecutions(pipeline.id, url, record) };
      }
      case 'pipeline.get': {
        this.#authenticate(request, record);
        const [first = '', second] = params;
        const pipeline = second === undefined ? this.#pipelines.find((p) => p.id === first) : this.#pipelines.find((p) => p.project === first && p.name === second);
        if (!pipeline) {
          throw new HttpProblem(404, `Pipeline with ${second === undefined ? `id '${first}'` : `name '${second}' in project '${first}'`} not found`);
        }
        record.pipelineId = pipeline.id;
        return { status: 200, body: servedPipeline(pipeline) };
      }
      case 'gitWebhooks.list':
        this.#authenticate(request, record);
        return { status: 200, body: listPage(this.#gitWebhooks.map((webhook) => ({ ...webhook, _link: `/codestream/api/git-webhooks/${webhook.id}` })), url) };
      case 'registryWebhooks.list':
        this.#authenticate(request, record);
        return {
          status: 200,
          body: listPage(
            this.#registryWebhooks.map((webhook) => ({ enabled: true, ...webhook, _link: `/codestream/api/registry-webhooks/${webhook.id}` })),
            url,
          ),
        };
      case 'control':
        return this.#control(params, raw, record);
      default:
        throw new HttpProblem(404, `no such endpoint: ${url.pathname}`);
    }
  }

  #loginWithRefreshToken(raw: Buffer, record: RecordedRequest): { status: number; body: unknown } {
    const body = parseJson(raw);
    const refreshToken = (body as { refreshToken?: unknown } | undefined)?.refreshToken;
    record.body = redact(body, 'refreshToken');
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new HttpProblem(400, 'the body must be a CspLoginSpecification: {"refreshToken": "…"}');
    }
    const user = this.#users.find((candidate) => candidate.refreshToken === refreshToken);
    if (!user) throw new HttpProblem(400, 'Invalid refresh token');
    record.user = user.name;
    const { token } = this.#tokens.issue(user.name);
    return { status: 200, body: { tokenType: 'Bearer', token } };
  }

  #authorizeApiToken(raw: Buffer, request: IncomingMessage, record: RecordedRequest): { status: number; body: unknown } {
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw new HttpProblem(415, 'the body must be form-encoded (api_token=…)');
    }
    const apiToken = new URLSearchParams(raw.toString('utf8')).get('api_token');
    record.body = { api_token: '[redacted]' };
    if (!apiToken) throw new HttpProblem(400, 'api_token is required');
    const user = this.#users.find((candidate) => candidate.apiToken === apiToken);
    if (!user) throw new HttpProblem(400, 'invalid_grant: the API token is invalid or expired');
    record.user = user.name;
    const { token, expiresAt } = this.#tokens.issue(user.name);
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'bearer',
        expires_in: Math.max(0, Math.round((expiresAt - this.#now()) / 1000)),
        scope: '',
      },
    };
  }

  #execute(
    endpoint: 'execute.byId' | 'execute.byName',
    params: string[],
    url: URL,
    raw: Buffer,
    request: IncomingMessage,
    record: RecordedRequest,
  ): { status: number; body: unknown } {
    this.#executeCount += 1;
    const every = this.#options.expireTokensEvery;
    if (every && this.#executeCount % every === 0) this.#tokens.revokeAll();
    const user = this.#authenticate(request, record);
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new HttpProblem(415, `Content-Type '${request.headers['content-type'] ?? ''}' is not supported; send application/json`);
    }
    const body = parseJson(raw);
    if (body === undefined) throw new HttpProblem(400, 'the body is not valid JSON');
    record.body = body;
    const problems = validateExecutionRequest(body);
    if (problems.length > 0) throw new HttpProblem(400, `not an ExecutionRequest: ${problems.join('; ')}`);
    const apiVersion = url.searchParams.get('apiVersion');
    if (apiVersion && !API_VERSION.test(apiVersion)) {
      throw new HttpProblem(400, `apiVersion '${apiVersion}' is not a version in yyyy-MM-dd format`);
    }
    const pipeline =
      endpoint === 'execute.byId'
        ? this.#pipelines.find((candidate) => candidate.id === params[0])
        : this.#pipelines.find((candidate) => candidate.project === params[0] && candidate.name === params[1]);
    if (!pipeline) {
      const named = endpoint === 'execute.byId' ? `id '${params[0]}'` : `name '${params[1]}' in project '${params[0]}'`;
      throw new HttpProblem(404, `Pipeline with ${named} not found`);
    }
    record.pipelineId = pipeline.id;
    if (pipeline.allowedUsers && !pipeline.allowedUsers.includes(user)) {
      throw new HttpProblem(403, `User '${user}' is not authorized to execute pipeline '${pipeline.name}'`);
    }
    if (pipeline.enabled === false) throw new HttpProblem(400, `Pipeline '${pipeline.name}' is disabled`);
    const execution = this.#createExecution(pipeline, body as ExecutionRequest, user);
    record.executionId = execution.id;
    const status = this.#options.executeStatus ?? 202;
    return {
      status,
      body: { executionId: execution.id, executionIndex: execution.index, executionLink: execution._link },
    };
  }

  #createExecution(pipeline: SimulatedPipeline, request: ExecutionRequest, user: string): SimulatedExecution {
    const id = randomUUID();
    const index = (this.#indexes.get(pipeline.id) ?? 0) + 1;
    this.#indexes.set(pipeline.id, index);
    const createdAt = this.#now();
    const execution: SimulatedExecution = {
      id,
      name: pipeline.name,
      project: pipeline.project,
      index,
      status: 'RUNNING',
      statusMessage: usualMessage('RUNNING'),
      comments: request.comments ?? '',
      input: { ...pipeline.input, ...request.input },
      tags: request.tags ?? [],
      createdAt: new Date(createdAt).toISOString(),
      _link: `/codestream/api/executions/${id}`,
      _pipelineLink: `/codestream/api/pipelines/${pipeline.id}`,
      _executedBy: user,
      _source: request.source ?? '',
      _createTimeInMicros: createdAt * 1000,
      updatedAt: new Date(createdAt).toISOString(),
      _updateTimeInMicros: createdAt * 1000,
      _durationInMicros: 0,
      pipelineId: pipeline.id,
      request,
    };
    this.#executions.set(id, execution);
    const { run } = pipeline;
    if (run) this.#pending.set(id, { at: createdAt + Math.round(run.seconds * 1000), status: run.ends, statusMessage: run.statusMessage ?? usualMessage(run.ends) });
    return execution;
  }

  /**
   * The execution with the status it has by the clock now: a pending status whose time has come is
   * taken, as of that time, when the execution is read. No timer runs for it.
   */
  #current(execution: SimulatedExecution): SimulatedExecution {
    const pending = this.#pending.get(execution.id);
    if (!pending || this.#now() < pending.at) return execution;
    this.#pending.delete(execution.id);
    execution.status = pending.status;
    execution.statusMessage = pending.statusMessage;
    execution.updatedAt = new Date(pending.at).toISOString();
    execution._updateTimeInMicros = pending.at * 1000;
    if (executionState(pending.status).ended) execution._durationInMicros = pending.at * 1000 - execution._createTimeInMicros;
    return execution;
  }

  #listExecutions(pipelineId: string, url: URL, record: RecordedRequest): Executions {
    record.pipelineId = pipelineId;
    const top = pageNumber(url.searchParams.get('$top'), 25, '$top');
    const skip = pageNumber(url.searchParams.get('$skip'), 0, '$skip');
    const all = this.executions.filter((execution) => execution.pipelineId === pipelineId).sort((a, b) => b.index - a.index);
    const page = all.slice(skip, skip + top);
    return {
      count: page.length,
      totalCount: all.length,
      links: page.map((execution) => execution._link),
      documents: Object.fromEntries(page.map((execution) => [execution._link, publicExecution(execution)])),
    };
  }

  #control([action = '', id]: string[], raw: Buffer, record: RecordedRequest): { status: number; body: unknown } {
    switch (action) {
      case 'requests':
        return { status: 200, body: this.#requests.filter((request) => request.endpoint !== 'control') };
      case 'executions': {
        // GET /_simulator/executions lists them; PUT /_simulator/executions/{id} changes one.
        if (id === undefined) return { status: 200, body: this.executions.map(publicExecution) };
        record.executionId = id;
        record.body = parseJson(raw);
        if (record.body === undefined) throw new HttpProblem(400, 'the body is not valid JSON');
        return { status: 200, body: publicExecution(this.setExecutionStatus(id, record.body as StatusChange)) };
      }
      case 'faults': {
        const spec = parseJson(raw);
        if (typeof spec !== 'object' || spec === null) throw new HttpProblem(400, 'the body must be a JSON fault plan');
        const problems = faultPlanProblems(spec as FaultPlanSpec);
        if (problems.length > 0) throw new HttpProblem(400, `invalid fault plan: ${problems.join('; ')}`);
        this.setFaults(spec as FaultPlanSpec);
        return { status: 200, body: { scripted: this.#faults.remaining } };
      }
      case 'tokens/expire':
        return { status: 200, body: { revoked: this.expireTokens() } };
      default:
        throw new HttpProblem(404, `no such control action: ${action}`);
    }
  }

  /** The user behind the request's bearer token, or 401 as Code Stream answers it. */
  #authenticate(request: IncomingMessage, record: RecordedRequest): string {
    const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw unauthorized('Authorization header with a Bearer token is required');
    const verdict = this.#tokens.verify(match[1]);
    if ('refused' in verdict) {
      throw unauthorized(verdict.refused === 'expired' ? 'the bearer token has expired' : 'the bearer token is not valid');
    }
    record.user = verdict.user;
    return verdict.user;
  }

  #reply(
    response: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    record.status = status;
    if (status >= 400) record.error = (body as { message?: string } | undefined)?.message;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    response.end(text);
    this.#options.onRequest?.(record);
  }

  #reset(request: IncomingMessage, response: ServerResponse, record: RecordedRequest): void {
    request.socket.resetAndDestroy();
    response.destroy();
    this.#options.onRequest?.(record);
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

function faultTarget(endpoint: Endpoint): FaultTarget | undefined {
  if (endpoint === 'execute.byId' || endpoint === 'execute.byName') return 'execute';
  if (endpoint === 'login.refreshToken' || endpoint === 'login.apiToken') return 'login';
  return undefined;
}

function unauthorized(message: string): HttpProblem {
  return new HttpProblem(401, message, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
}

function publicExecution(execution: SimulatedExecution): Execution {
  const { pipelineId, request, ...rest } = execution;
  return rest;
}

function servedPipeline(pipeline: SimulatedPipeline): ServedPipeline {
  return {
    id: pipeline.id,
    name: pipeline.name,
    project: pipeline.project,
    description: pipeline.description ?? '',
    enabled: pipeline.enabled ?? true,
    input: { ...pipeline.input },
    _link: `/codestream/api/pipelines/${pipeline.id}`,
  };
}

/**
 * One page of a list endpoint, ordered by the swagger's default `$orderby` ("name desc"), with
 * `$top` (default 25) and `$skip`; `$filter`, `$orderby` and `page` are refused rather than ignored.
 */
function listPage<T extends { name: string; _link: string }>(items: T[], url: URL): ServedList<T> {
  for (const unsupported of ['$filter', '$orderby', 'page']) {
    if (url.searchParams.has(unsupported)) throw new HttpProblem(400, `the simulator does not support ${unsupported}`);
  }
  const top = pageNumber(url.searchParams.get('$top'), 25, '$top');
  const skip = pageNumber(url.searchParams.get('$skip'), 0, '$skip');
  const all = [...items].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const page = all.slice(skip, skip + top);
  return {
    count: page.length,
    totalCount: all.length,
    links: page.map((item) => item._link),
    documents: Object.fromEntries(page.map((item) => [item._link, item])),
  };
}

function pageNumber(value: string | null, fallback: number, name: string): number {
  if (value === null) return fallback;
  if (!/^\d+$/.test(value)) throw new HttpProblem(400, `${name} must be a whole number`);
  return Number(value);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function redact(body: unknown, field: string): unknown {
  return typeof body === 'object' && body !== null && field in body ? { ...body, [field]: '[redacted]' } : body;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
