import { Logger } from '@aws-lambda-powertools/logger';
import { BearerTokenCache } from './BearerTokenCache';
import { type HttpAnswer, classifyExecuteAnswer, statusClass } from './classifyResponse';
import type { AuthFlow, CredentialSource } from './credentials';
import { AuthenticationError } from './errors';
import { type ExecutionRead, executionState } from './executionState';
import { type LoginContext, authorizeApiToken, loginWithRefreshToken } from './login';
import type { Failure, Outcome } from './Outcome';
import { responseSnippet } from './responseSnippet';
import { type Transport, createTransport, sendRequest } from './sendRequest';
import { type ExecutionRequest, type PipelineRef, describePipeline } from './types';

/** What a lookup found: the execution, none, or why it could not look. */
export type ExecutionLookup =
  | { found: true; executionId: string; executionLink: string }
  | { found: false; failed?: Outcome };

/** How far the relay's clock and Code Stream's may disagree, for telling which executions came before a call. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** CSP's token exchange for Aria Automation (cloud). */
export const CSP_AUTHORIZE_URL = 'https://console.cloud.vmware.com/csp/gateway/am/api/auth/api-tokens/authorize';

export type CodeStreamAuth =
  | { flow: 'refreshToken' }
  | {
      flow: 'apiToken';
      /** @default CSP_AUTHORIZE_URL */
      authorizeUrl?: string;
    };

/** The part of Powertools' Logger the client uses. */
export type ClientLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;

/** When a call must be over by (epoch ms): the end of the invocation, less what recording the result needs. */
export interface Deadline {
  endsAt: number;
}

export interface CodeStreamClientOptions {
  /** Aria Automation's base URL, e.g. `https://vra.example.com` or `https://api.mgmt.cloud.vmware.com`. */
  baseUrl: string;
  auth: CodeStreamAuth;
  credentials: CredentialSource;
  /** Sent as the `apiVersion` query parameter when set, e.g. `2019-10-17`. */
  apiVersion?: string;
  /** Deadline of each execute call, in ms. @default 10000 */
  timeoutMs?: number;
  /** Deadline of each login call, in ms. @default timeoutMs */
  loginTimeoutMs?: number;
  /** Renew the bearer token this long before it expires, in ms. @default 300000 */
  renewBeforeMs?: number;
  /** Lifetime assumed for a token whose expiry cannot be read, in ms. @default 8 hours, vRA's own */
  defaultTokenLifetimeMs?: number;
  /** Bound on the response snippet kept in each outcome. @default 512 */
  snippetChars?: number;
  /** @default a Powertools Logger at the level POWERTOOLS_LOG_LEVEL sets */
  logger?: ClientLogger;
  /** Clock, in epoch ms. @default Date.now */
  now?: () => number;
  /** PEM texts of CAs trusted besides the public ones, for the login and the execute calls. */
  caCertificates?: readonly string[];
  /** A proxy URL that wins over HTTPS_PROXY/HTTP_PROXY/NO_PROXY, or false for none. @default those variables */
  proxy?: string | false;
  /** Called after each login, e.g. to publish the credential's age. */
  onLogin?: (login: LoginReport) => void;
}

/** What a login tells the caller: the flow, and when the credential it used was stored. */
export interface LoginReport {
  flow: AuthFlow;
  credentialCreatedAt?: Date;
}

/**
 * Starts Code Stream pipeline executions. Every call resolves to an {@link Outcome}; nothing throws.
 * Keep one client per container: it holds the keep-alive connections and the bearer token.
 *
 * @example
 * const client = new CodeStreamClient({
 *   baseUrl: 'https://vra.example.com',
 *   auth: { flow: 'refreshToken' },
 *   credentials: new SecretCredentials(new SecretsManagerSecretStore(), 'codestream/relay'),
 * });
 * const outcome = await client.execute({ id: 'b49898f9-…' }, { comments: 'push to main', input: { GIT_BRANCH_NAME: 'main' } });
 * if (outcome.kind === 'created') console.log(outcome.executionLink);
 */
export class CodeStreamClient {
  readonly #baseUrl: string;
  readonly #apiVersion?: string;
  readonly #timeoutMs: number;
  readonly #snippetChars?: number;
  readonly #now: () => number;
  readonly #logger: ClientLogger;
  readonly #transport: Transport;
  readonly #tokens: BearerTokenCache;

  constructor(options: CodeStreamClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiVersion = options.apiVersion;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#snippetChars = options.snippetChars;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? new Logger({ serviceName: 'codestream-client' });
    this.#transport = createTransport({ headers: { Accept: 'application/json' }, caCertificates: options.caCertificates, proxy: options.proxy, timeoutMs: this.#timeoutMs });
    const { http, connections } = this.#transport;
    const loginContext: LoginContext = {
      http,
      connections,
      timeoutMs: options.loginTimeoutMs ?? this.#timeoutMs,
      now: this.#now,
      defaultTokenLifetimeMs: options.defaultTokenLifetimeMs ?? 8 * 60 * 60 * 1000,
      snippetChars: options.snippetChars,
    };
    const { auth, credentials } = options;
    this.#tokens = new BearerTokenCache(
      async ({ freshCredentials }) => {
        const credential = await credentials.credential(auth.flow, { fresh: freshCredentials }).catch(unexpected);
        const loginUrl = auth.flow === 'refreshToken' ? this.#baseUrl : (auth.authorizeUrl ?? CSP_AUTHORIZE_URL);
        const issued =
          auth.flow === 'refreshToken'
            ? await loginWithRefreshToken(loginContext, loginUrl, credential.value)
            : await authorizeApiToken(loginContext, loginUrl, credential.value);
        this.#logger.info('Logged in to Aria Automation', {
          flow: auth.flow,
          expiresAt: new Date(issued.expiresAt).toISOString(),
          credentialCreatedAt: credential.createdAt?.toISOString(),
          via: connections.describe(loginUrl),
        });
        options.onLogin?.({ flow: auth.flow, credentialCreatedAt: credential.createdAt });
        return issued;
      },
      { renewBeforeMs: options.renewBeforeMs ?? 5 * 60 * 1000, now: this.#now },
    );
  }

  /**
   * `POST /codestream/api/pipelines/{id}/executions` or `/pipelines/{project}/{name}/executions`.
   * A 401 renews the token once and retries once; a second 401 is the `unauthorized` outcome.
   */
  async execute(pipeline: PipelineRef, request: ExecutionRequest, deadline?: Deadline): Promise<Outcome> {
    const url = this.executionsUrl(pipeline);
    const described = describePipeline(pipeline);
    try {
      const { answer, token } = await this.#renewingOn401(described, (bearer) => this.#request('post', url, request, bearer, described, deadline));
      return this.#classify(answer, described, token);
    } catch (error) {
      if (error instanceof AuthenticationError) return error.outcome;
      throw error;
    }
  }

  /**
   * Finds an execution of the pipeline that carries every one of `tags`: after a call that timed
   * out, Code Stream may have started the execution anyway, and calling again would start a second
   * one. Reads `GET …/executions` newest first, a page of `pageSize` at a time, until it finds one,
   * the list ends, or a page reaches executions created before `since` (epoch ms: the first call
   * for these tags, less a margin for the two clocks): a busy pipeline may have started hundreds
   * since. Same token handling as execute. Where even `maxPages` pages do not reach back that far,
   * it says it could not look, rather than let a second execution start.
   */
  async lookupExecution(pipeline: PipelineRef, tags: readonly string[], deadline?: Deadline, since?: number, pageSize = 100, maxPages = 50): Promise<ExecutionLookup> {
    const described = describePipeline(pipeline);
    const reachedBack = since === undefined ? () => true : (createdAt: number) => createdAt < since - CLOCK_SKEW_MS;
    try {
      for (let page = 0; page < maxPages; page += 1) {
        const url = `${this.executionsUrl(pipeline)}${this.#apiVersion ? '&' : '?'}$top=${pageSize}&$skip=${page * pageSize}`;
        const { answer, token } = await this.#renewingOn401(described, (bearer) => this.#request('get', url, undefined, bearer, described, deadline));
        if ('kind' in answer || answer.status !== 200) return { found: false, failed: this.#classify(answer, described, token) };
        const executions = parseExecutions(answer.body);
        const match = executions.find((execution) => tags.every((tag) => execution.tags.includes(tag)));
        if (match) return { found: true, executionId: match.id, executionLink: `${this.#baseUrl}${match.link}` };
        if (executions.length < pageSize || executions.some((execution) => reachedBack(execution.createdAt))) return { found: false };
      }
      return {
        found: false,
        failed: {
          kind: 'retryable',
          stage: 'execute',
          cause: 'service',
          reason: `could not tell whether an earlier, unanswered call started an execution of ${described}: its ${maxPages * pageSize} newest executions do not reach back to that call`,
          snippet: '',
        },
      };
    } catch (error) {
      if (error instanceof AuthenticationError) return { found: false, failed: error.outcome };
      throw error;
    }
  }

  /**
   * Reads one of Code Stream's resources, for the CLI (`relay validate --live`, `relay import`):
   * `path` is below the base URL, e.g. `/codestream/api/pipelines/{id}`, segments already encoded;
   * `apiVersion` is added to `query`. Same token handling as execute. Resolves to the parsed JSON
   * of a 200, or the outcome that says why not (`notFound` for a 404).
   */
  async read(path: string, query: Record<string, string> = {}, what = `reading ${path}`): Promise<{ kind: 'read'; value: unknown } | Failure> {
    const parameters = new URLSearchParams({ ...(this.#apiVersion ? { apiVersion: this.#apiVersion } : {}), ...query }).toString();
    const url = `${this.#baseUrl}${path}${parameters ? `?${parameters}` : ''}`;
    try {
      const { answer, token } = await this.#renewingOn401(what, (bearer) => sendRequest(this.#transport, { method: 'get', url, headers: { Authorization: `Bearer ${bearer}` } }, 'execute', what));
      if ('kind' in answer) return answer;
      if (answer.status === 200) {
        try {
          return { kind: 'read', value: JSON.parse(answer.body) as unknown };
        } catch {
          return { kind: 'rejected', stage: 'execute', status: 200, reason: `Code Stream's answer to ${what} is not JSON`, snippet: responseSnippet(answer.body, [token], this.#snippetChars) };
        }
      }
      return readFailure(answer, what, responseSnippet(answer.body, [token], this.#snippetChars));
    } catch (error) {
      if (error instanceof AuthenticationError) return error.outcome as Failure;
      throw error;
    }
  }

  /**
   * `GET /codestream/api/executions/{id}`: where an execution the relay started has got to, for
   * following it to its end. Same token handling and failure outcomes as {@link read}, within the
   * deadline as execute; a 404 is `notFound` and says the execution is gone: deleted, or not this
   * Code Stream's, so reading it again cannot help.
   */
  async readExecution(id: string, deadline?: Deadline): Promise<ExecutionRead | Failure> {
    const what = `reading execution ${id}`;
    const query = this.#apiVersion ? `?apiVersion=${encodeURIComponent(this.#apiVersion)}` : '';
    const url = `${this.#baseUrl}/codestream/api/executions/${encodeURIComponent(id)}${query}`;
    try {
      const { answer, token } = await this.#renewingOn401(what, (bearer) => {
        const timeoutMs = deadline === undefined ? undefined : Math.max(0, deadline.endsAt - Date.now());
        return sendRequest(this.#transport, { method: 'get', url, headers: { Authorization: `Bearer ${bearer}` }, timeoutMs }, 'execute', what);
      });
      if ('kind' in answer) return answer;
      const snippet = responseSnippet(answer.body, [token], this.#snippetChars);
      if (answer.status === 404) {
        return { kind: 'notFound', stage: 'execute', status: 404, reason: `Code Stream answered 404 to ${what}: the execution is gone (deleted, or not on this Code Stream)`, snippet };
      }
      if (answer.status !== 200) return readFailure(answer, what, snippet);
      const execution = parseExecution(answer.body);
      if (!execution) return { kind: 'rejected', stage: 'execute', status: 200, reason: `Code Stream's answer to ${what} is not an Execution with a status`, snippet };
      return { kind: 'execution', ...execution, ...executionState(execution.status) };
    } catch (error) {
      if (error instanceof AuthenticationError) return error.outcome as Failure;
      throw error;
    }
  }

  /** The execute URL for a pipeline, with each path segment encoded. */
  executionsUrl(pipeline: PipelineRef): string {
    const path =
      'id' in pipeline
        ? encodeURIComponent(pipeline.id)
        : `${encodeURIComponent(pipeline.project)}/${encodeURIComponent(pipeline.name)}`;
    const query = this.#apiVersion ? `?apiVersion=${encodeURIComponent(this.#apiVersion)}` : '';
    return `${this.#baseUrl}/codestream/api/pipelines/${path}/executions${query}`;
  }

  /**
   * Sends with the current bearer token; a 401 renews it once and sends once more, since Code
   * Stream may have revoked a token before its expiry. Resolves to the last answer and its token.
   * @throws AuthenticationError when no token can be had.
   */
  async #renewingOn401(what: string, send: (token: string) => Promise<HttpAnswer | Failure>): Promise<{ answer: HttpAnswer | Failure; token: string }> {
    const token = await this.#tokens.get();
    const answer = await send(token);
    if ('kind' in answer || answer.status !== 401) return { answer, token };
    this.#logger.info('Code Stream answered 401; renewing the token and retrying once', { what });
    this.#tokens.invalidate(token);
    const renewed = await this.#tokens.get();
    return { answer: await send(renewed), token: renewed };
  }

  #request(method: 'get' | 'post', url: string, request: ExecutionRequest | undefined, token: string, pipeline: string, deadline?: Deadline): Promise<HttpAnswer | Failure> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...(request ? { 'Content-Type': 'application/json' } : {}) };
    const timeoutMs = deadline === undefined ? undefined : Math.max(0, deadline.endsAt - Date.now());
    return sendRequest(this.#transport, { method, url, data: request, headers, timeoutMs }, 'execute', `${method === 'post' ? 'executing' : 'looking up executions of'} ${pipeline}`);
  }

  #classify(answer: HttpAnswer | Failure, pipeline: string, token: string): Outcome {
    if ('kind' in answer) return answer;
    return classifyExecuteAnswer(answer, {
      baseUrl: this.#baseUrl,
      pipeline,
      now: this.#now(),
      secrets: [token],
      snippetChars: this.#snippetChars,
    });
  }
}

/**
 * A credential source that fails other than with an AuthenticationError is retried like a failing
 * Secrets Manager. Only the error's name is kept: its message may quote what it read.
 */
function unexpected(error: unknown): never {
  if (error instanceof AuthenticationError) throw error;
  throw new AuthenticationError({
    kind: 'retryable',
    stage: 'credentials',
    cause: 'service',
    reason: `reading the Code Stream credential failed with ${error instanceof Error ? error.name : typeof error}`,
    snippet: '',
  });
}

/** What a read's answer other than 200 means, in the words of the read. */
function readFailure(answer: HttpAnswer, what: string, snippet: string): Failure {
  const { status } = answer;
  switch (statusClass(status)) {
    case 'unauthorized':
      return { kind: 'unauthorized', stage: 'execute', status, reason: `Code Stream answered 401 to ${what} even with a freshly issued token`, snippet };
    case 'forbidden':
      return { kind: 'forbidden', stage: 'execute', status: 403, reason: `Code Stream answered 403 to ${what}: the credential's user may not read it`, snippet };
    case 'notFound':
      return { kind: 'notFound', stage: 'execute', status: 404, reason: `Code Stream answered 404 to ${what}`, snippet };
    case 'retryable':
      return { kind: 'retryable', stage: 'execute', cause: 'status', status, reason: `Code Stream answered ${status} to ${what}`, snippet };
    default:
      return { kind: 'rejected', stage: 'execute', status, reason: `Code Stream answered ${status} to ${what}`, snippet };
  }
}

/** The executions of a `GET …/executions` answer (swagger `Executions`): id, link, tags and creation time (epoch ms, from `_createTimeInMicros`, else `createdAt`; NaN when neither) of each. */
function parseExecutions(body: string): { id: string; link: string; tags: string[]; createdAt: number }[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return [];
  }
  const documents = (value as { documents?: Record<string, unknown> } | null)?.documents ?? {};
  return Object.entries(documents).flatMap(([link, document]) => {
    const { id, tags, createdAt, _createTimeInMicros: micros } = (document ?? {}) as { id?: unknown; tags?: unknown; createdAt?: unknown; _createTimeInMicros?: unknown };
    if (typeof id !== 'string') return [];
    // Code Stream writes createdAt as "2019-09-16 09:25:38.065065+00"; the microseconds are its own record of the same time.
    const created = typeof micros === 'number' ? micros / 1000 : typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
    return [{ id, link, tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [], createdAt: created }];
  });
}

/**
 * The status and message of a `GET /executions/{id}` answer (swagger `Execution`), and its
 * pipeline as `project/name` with its index where the answer has them; undefined when it has no status.
 */
function parseExecution(body: string): { status: string; statusMessage: string; pipeline?: string; index?: number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const { status, statusMessage, project, name, index } = (value ?? {}) as { status?: unknown; statusMessage?: unknown; project?: unknown; name?: unknown; index?: unknown };
  if (typeof status !== 'string' || status === '') return undefined;
  return {
    status,
    statusMessage: typeof statusMessage === 'string' ? statusMessage : '',
    ...(typeof project === 'string' && typeof name === 'string' && project && name ? { pipeline: `${project}/${name}` } : {}),
    ...(typeof index === 'number' ? { index } : {}),
  };
}
