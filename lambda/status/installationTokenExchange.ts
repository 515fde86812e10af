import type { IssuedToken } from '../codestream/BearerTokenCache';
import { type HttpAnswer, statusClass } from '../codestream/classifyResponse';
import { parseRetryAfter } from '../codestream/retryAfter';
import type { StatusCredential } from './CommitStatus';
import { githubAppJwt } from './githubAppJwt';
import { githubHeaders } from './githubStatusRequest';
import { retryOutcome } from './retryOutcome';
import { StatusPostError, unpostable } from './StatusPostError';
import type { StatusRequest } from './StatusRequest';
import { apiBase } from './targetPaths';

export type GitHubAppCredential = Extract<StatusCredential, { kind: 'githubApp' }>;

/**
 * `POST {apiUrl}/app/installations/{installationId}/access_tokens`, authenticated by a fresh JWT:
 * GitHub answers with a token for the repositories of that installation, good for an hour.
 *
 * @throws StatusPostError when the private key cannot sign.
 */
export function installationTokenRequest(apiUrl: string, app: GitHubAppCredential, now: number): StatusRequest {
  let jwt: string;
  try {
    jwt = githubAppJwt(app.appId, app.privateKey, now);
  } catch {
    throw unpostable(`the privateKey of GitHub App ${app.appId} cannot sign a JWT: give the app's RSA private key, in PEM`);
  }
  return {
    method: 'post',
    url: `${apiBase({ apiUrl })}/app/installations/${encodeURIComponent(app.installationId)}/access_tokens`,
    headers: githubHeaders(jwt),
    body: {},
  };
}

/**
 * The installation token of GitHub's answer, with its expiry.
 *
 * @throws StatusPostError with `retry` for 429 and 5xx, `failed` for refusals, each with what to fix.
 */
export function readInstallationToken(answer: HttpAnswer, app: GitHubAppCredential, now: number): IssuedToken {
  const { status } = answer;
  const installation = `installation ${app.installationId} of GitHub App ${app.appId}`;
  switch (statusClass(status)) {
    case 'success': {
      const { token, expires_at: expiresAt } = parseObject(answer.body);
      const expiry = typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN;
      if (typeof token !== 'string' || token === '' || Number.isNaN(expiry)) {
        throw new StatusPostError({ kind: 'failed', status, reason: `GitHub's answer for an installation token of ${installation} holds no token and expiry: check the API URL` });
      }
      return { token, expiresAt: expiry };
    }
    case 'retryable':
      throw new StatusPostError(retryOutcome(status, `GitHub answered ${status} when asked for an installation token of ${installation}`, parseRetryAfter(answer.headers['retry-after'], now)));
    case 'unauthorized':
      throw new StatusPostError({
        kind: 'failed',
        status,
        reason: `GitHub answered 401 to the JWT of GitHub App ${app.appId}: check the appId, that privateKey is one of the app's current private keys, and this machine's clock`,
      });
    case 'notFound':
      throw new StatusPostError({
        kind: 'failed',
        status,
        reason: `GitHub answered 404: there is no ${installation}; check installationId (in the installation's settings URL) and that the app is still installed`,
      });
    default:
      throw new StatusPostError({ kind: 'failed', status, reason: `GitHub answered ${status} when asked for an installation token of ${installation} (is the installation suspended?)` });
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
