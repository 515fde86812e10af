import type { IssuedToken } from './BearerTokenCache';
import { statusClass } from './classifyResponse';
import type { AuthFlow } from './credentials';
import { AuthenticationError } from './errors';
import { parseRetryAfter } from './retryAfter';
import { responseSnippet } from './responseSnippet';
import { type Transport, sendRequest } from './sendRequest';

export interface LoginContext extends Transport {
  now: () => number;
  /** Assumed lifetime when the answer states none and the token is no JWT with `exp`. */
  defaultTokenLifetimeMs: number;
  snippetChars?: number;
}

/** On-premises: `POST {baseUrl}/iaas/api/login {refreshToken}` answers `{tokenType, token}`. */
export async function loginWithRefreshToken(
  context: LoginContext,
  baseUrl: string,
  refreshToken: string,
): Promise<IssuedToken> {
  const answer = await postForToken(context, 'refreshToken', `${baseUrl}/iaas/api/login`, refreshToken, {
    data: { refreshToken },
    contentType: 'application/json',
  });
  const token = answer.token;
  if (typeof token !== 'string' || token === '') throw malformed('refreshToken', 'it has no "token"');
  return { token, expiresAt: jwtExpiry(token) ?? context.now() + context.defaultTokenLifetimeMs };
}

/** Cloud: CSP's `POST …/api-tokens/authorize` with form field `api_token` answers `{access_token, expires_in}`. */
export async function authorizeApiToken(
  context: LoginContext,
  authorizeUrl: string,
  apiToken: string,
): Promise<IssuedToken> {
  const answer = await postForToken(context, 'apiToken', authorizeUrl, apiToken, {
    data: new URLSearchParams({ api_token: apiToken }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
  const token = answer.access_token;
  if (typeof token !== 'string' || token === '') throw malformed('apiToken', 'it has no "access_token"');
  const expiresIn = answer.expires_in;
  const expiresAt =
    typeof expiresIn === 'number' && expiresIn > 0
      ? context.now() + expiresIn * 1000
      : (jwtExpiry(token) ?? context.now() + context.defaultTokenLifetimeMs);
  return { token, expiresAt };
}

async function postForToken(
  context: LoginContext,
  flow: AuthFlow,
  url: string,
  credential: string,
  request: { data: unknown; contentType: string },
): Promise<Record<string, unknown>> {
  const answer = await sendRequest(
    context,
    { method: 'post', url, data: request.data, headers: { 'Content-Type': request.contentType } },
    'login',
    `logging in at ${url}`,
  );
  if ('kind' in answer) throw new AuthenticationError(answer);
  const { status, body } = answer;
  const snippet = responseSnippet(body, [credential], context.snippetChars);
  const verdict = statusClass(status);
  if (verdict === 'retryable') {
    const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], context.now());
    throw new AuthenticationError({
      kind: 'retryable',
      stage: 'login',
      cause: 'status',
      status,
      retryAfterMs,
      reason: `the login at ${url} answered ${status}`,
      snippet,
    });
  }
  if (verdict !== 'success') {
    throw new AuthenticationError({
      kind: 'unauthorized',
      stage: 'login',
      status,
      reason: `the login at ${url} was refused with ${status}: check the "${flow}" credential and the URL`,
      snippet,
    });
  }
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the error below: an HTML sign-in page here means a wrong URL.
  }
  throw malformed(flow, `it is not a JSON object (is ${url} the right login URL?)`);
}

function malformed(flow: AuthFlow, problem: string): AuthenticationError {
  return new AuthenticationError({
    kind: 'unauthorized',
    stage: 'login',
    reason: `the ${flow === 'refreshToken' ? 'vRA' : 'CSP'} login answer cannot be used: ${problem}`,
    snippet: '',
  });
}

/** The `exp` claim of a JWT, in epoch ms; undefined for anything else. Unverified: only used to schedule renewal. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
