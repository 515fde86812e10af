import type { IncomingMessage } from 'node:http';

/**
 * Sent with every answer. The page loads only its own script and style (no inline code, nothing
 * from elsewhere), may not be framed, and leaks no URL through a Referer.
 */
export const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/**
 * Why the console refuses the request, or undefined when it may go on. The console listens on
 * loopback only, but a page the operator's browser opens elsewhere can still reach it:
 * - through DNS rebinding, a name of the attacker's that resolves to 127.0.0.1: its Host header
 *   is that name, not 127.0.0.1 or localhost with the console's port;
 * - by a cross-site request: its Origin is not the console's, or Sec-Fetch-Site says cross-site;
 * - from another port of the same machine, which is the same site (ports do not make a site): its
 *   Origin is not the console's, or Sec-Fetch-Site says same-site.
 * A request that changes something (every non-GET) must say where it came from: its Origin must be
 * the console's own.
 */
export function refusal(request: IncomingMessage, port: number): string | undefined {
  const { host, origin } = request.headers;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return `the console answers requests to 127.0.0.1:${port} or localhost:${port} only, not to the Host ${JSON.stringify(host ?? '')}`;
  }
  const own = `http://${host}`;
  if (origin !== undefined && origin !== own) return `the console answers its own page only (${own}), not one from ${JSON.stringify(origin)}`;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `the console refuses ${site} requests: only its own page may call it`;
  if (request.method !== 'GET' && origin === undefined) return `a ${request.method ?? ''} request must carry the console's Origin (${own})`;
  return undefined;
}
