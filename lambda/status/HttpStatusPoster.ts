import { Logger } from '@aws-lambda-powertools/logger';
import type { ClientLogger } from '../codestream/CodeStreamClient';
import { type Transport, createTransport, sendRequest } from '../codestream/sendRequest';
import { type RequestCredential, buildStatusRequest } from './buildStatusRequest';
import { classifyStatusAnswer } from './classifyStatusAnswer';
import type { CommitStatus, PostOutcome, ReportingProvider, StatusCredential, StatusPoster, StatusTarget } from './CommitStatus';
import { InstallationTokens } from './InstallationTokens';
import { type GitHubAppCredential, installationTokenRequest, readInstallationToken } from './installationTokenExchange';
import { SERVER_NAMES } from './serverNames';
import { StatusPostError, unpostable } from './StatusPostError';
import { USER_AGENT, type StatusRequest } from './StatusRequest';
import { transportFailure } from './transportFailure';

export interface HttpStatusPosterOptions {
  /** Deadline of each request, in ms. @default 10000 */
  timeoutMs?: number;
  /** PEM texts of CAs trusted besides the public ones: those of on-premises Git servers. */
  caCertificates?: readonly string[];
  /** A proxy URL that wins over HTTPS_PROXY/HTTP_PROXY/NO_PROXY, or false for none. @default those variables */
  proxy?: string | false;
  /** Renew a GitHub App's installation token this long before it expires, in ms. @default 300000 */
  renewBeforeMs?: number;
  /** @default a Powertools Logger at the level POWERTOOLS_LOG_LEVEL sets */
  logger?: ClientLogger;
  /** Clock, in epoch ms. @default Date.now */
  now?: () => number;
}

/**
 * Posts commit statuses to GitHub, GitLab, Bitbucket Cloud and Data Center, Gitea and Forgejo over
 * the network machinery of the Code Stream client (CodeStreamConnections and sendRequest, named for
 * the client that came first): the configured CAs on top of the public ones, always verified, and
 * the proxy the config or HTTPS_PROXY/NO_PROXY names. Every post resolves to a {@link PostOutcome};
 * nothing throws for an answer or a network failure. Keep one poster per container: it holds the
 * keep-alive connections and the GitHub Apps' installation tokens.
 *
 * @example
 * const poster = new HttpStatusPoster({ caCertificates: [companyCaPem] });
 * const outcome = await poster.post(
 *   { provider: 'github', apiUrl: 'https://api.github.com', repository: 'acme/app', sha },
 *   { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl },
 *   parseStatusCredential(secretText, 'github', 'git/github-status'),
 * );
 */
export class HttpStatusPoster implements StatusPoster {
  readonly #transport: Transport;
  readonly #now: () => number;
  readonly #logger: ClientLogger;
  readonly #installationTokens: InstallationTokens;

  constructor(options: HttpStatusPosterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? new Logger({ serviceName: 'status-poster' });
    this.#transport = createTransport({ headers: { 'User-Agent': USER_AGENT }, caCertificates: options.caCertificates, proxy: options.proxy, timeoutMs: options.timeoutMs ?? 10_000 });
    this.#installationTokens = new InstallationTokens((apiUrl, app) => this.#exchange(apiUrl, app), {
      renewBeforeMs: options.renewBeforeMs ?? 5 * 60_000,
      now: this.#now,
    });
  }

  async post(target: StatusTarget, status: CommitStatus, credential: StatusCredential): Promise<PostOutcome> {
    try {
      if (credential.kind !== 'githubApp') return await this.#post(target, status, credential, [], 'token');
      if (target.provider !== 'github') throw unpostable(`${SERVER_NAMES[target.provider]} takes a token, and the secret holds a GitHub App`);
      return await this.#postAsApp(target, status, credential);
    } catch (error) {
      if (error instanceof StatusPostError) return error.outcome;
      throw error;
    }
  }

  /**
   * Posts with the installation token; a 401 (the token revoked, or the installation's permissions
   * changed since it was issued) drops it and posts once more with a new one.
   */
  async #postAsApp(target: StatusTarget, status: CommitStatus, app: GitHubAppCredential): Promise<PostOutcome> {
    const secrets = [app.privateKey];
    const token = await this.#installationTokens.get(target.apiUrl, app);
    const outcome = await this.#post(target, status, { kind: 'token', token }, secrets, 'githubApp');
    if (outcome.kind !== 'failed' || outcome.status !== 401) return outcome;
    this.#installationTokens.invalidate(target.apiUrl, app, token);
    const renewed = await this.#installationTokens.get(target.apiUrl, app);
    return this.#post(target, status, { kind: 'token', token: renewed }, [...secrets, token], 'githubApp');
  }

  async #post(
    target: StatusTarget,
    status: CommitStatus,
    credential: RequestCredential,
    otherSecrets: readonly string[],
    kind: StatusCredential['kind'],
  ): Promise<PostOutcome> {
    const what = `posting the ${status.state} status of ${target.repository}@${target.sha.slice(0, 12)}`;
    const answer = await this.#send(buildStatusRequest(target, status, credential), what, target.provider);
    const outcome =
      'kind' in answer
        ? transportFailure(answer)
        : classifyStatusAnswer(answer, { target, state: status.state, credential: kind, now: this.#now(), secrets: echoedForms([...valuesOf(credential), ...otherSecrets]) });
    this.#logger.debug('Commit status post', {
      provider: target.provider,
      repository: target.repository,
      sha: target.sha,
      state: status.state,
      outcome: outcome.kind,
      status: outcome.status,
      via: this.#transport.connections.describe(target.apiUrl),
    });
    return outcome;
  }

  /** GitHub's installation token for the app, from a fresh JWT; throws StatusPostError when GitHub does not give one. */
  async #exchange(apiUrl: string, app: GitHubAppCredential) {
    const answer = await this.#send(installationTokenRequest(apiUrl, app, this.#now()), `exchanging a JWT of GitHub App ${app.appId} for an installation token`, 'github');
    if ('kind' in answer) throw new StatusPostError(transportFailure(answer));
    const issued = readInstallationToken(answer, app, this.#now());
    this.#logger.info('Obtained a GitHub App installation token', {
      appId: app.appId,
      installationId: app.installationId,
      expiresAt: new Date(issued.expiresAt).toISOString(),
      via: this.#transport.connections.describe(apiUrl),
    });
    return issued;
  }

  /** Sends over the source's route; a failure's reason names the server and the source's `report` settings. */
  #send(request: StatusRequest, what: string, provider: ReportingProvider) {
    const { method, url, headers, body } = request;
    return sendRequest(this.#transport, { method, url, headers, data: body }, 'execute', what, { name: SERVER_NAMES[provider], settings: 'report', urlKey: 'apiUrl', machine: 'server' });
  }
}

/** The secret values of a credential as sent: the token, or the password and Basic's pair. */
function valuesOf(credential: RequestCredential): string[] {
  return credential.kind === 'token' ? [credential.token] : [credential.password, `${credential.username}:${credential.password}`];
}

/** Each value as a server that quotes its request may write it back: as it is, URL-encoded, in base64 (Basic's own form). */
function echoedForms(values: readonly string[]): string[] {
  return values.flatMap((value) => [Buffer.from(value).toString('base64'), encodeURIComponent(value), value]);
}
