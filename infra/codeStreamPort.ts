import type { CodeStreamTarget } from '../lambda/config/RelayConfig';

/**
 * The TCP port the relay connects to: its proxy's when `proxy` is a URL, else Code Stream's; a URL
 * without a port means 80 for http: and 443 for https:.
 *
 * @example
 * codeStreamPort({ url: 'https://vra.corp.example', proxy: 'http://proxy.corp.example:3128', … }); // 3128
 */
export function codeStreamPort(target: Pick<CodeStreamTarget, 'url' | 'proxy'>): number {
  const url = new URL(typeof target.proxy === 'string' ? target.proxy : target.url);
  if (url.port) return Number(url.port);
  return url.protocol === 'http:' ? 80 : 443;
}
