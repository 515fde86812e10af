import { sign } from 'node:crypto';

/** How far back the JWT says it was issued: GitHub's advice, for a clock that runs ahead of GitHub's. */
const BACKDATE_S = 60;
/** How long it is valid from now: GitHub refuses an expiry more than 10 minutes ahead of its own clock. */
const LIFETIME_S = 9 * 60;

/**
 * The JSON Web Token with which a GitHub App asks for an installation token: RS256, signed with the
 * app's private key by node:crypto; `iss` is the app's id (a number when it is one, as GitHub lists
 * it) or its client id. It is good for the exchange only, and never leaves the request's header.
 *
 * @param now epoch ms
 */
export function githubAppJwt(appId: string, privateKey: string, now: number): string {
  const seconds = Math.floor(now / 1000);
  const header = base64url({ alg: 'RS256', typ: 'JWT' });
  const claims = base64url({ iat: seconds - BACKDATE_S, exp: seconds + LIFETIME_S, iss: /^\d+$/.test(appId) ? Number(appId) : appId });
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
