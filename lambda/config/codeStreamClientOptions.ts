import type { CodeStreamClientOptions } from '../codestream/CodeStreamClient';
import type { CodeStreamTarget } from './RelayConfig';

/**
 * How the config's `codestream` block reaches Code Stream: URL, auth flow, API version, CAs and
 * proxy. The relay and the CLI both build their client from it, so that a check from the CLI goes
 * the way the relay's calls go.
 */
export function codeStreamClientOptions(target: CodeStreamTarget): Pick<CodeStreamClientOptions, 'baseUrl' | 'auth' | 'apiVersion' | 'caCertificates' | 'proxy'> {
  return {
    baseUrl: target.url,
    auth: target.auth === 'apiToken' ? { flow: 'apiToken', authorizeUrl: target.authorizeUrl } : { flow: 'refreshToken' },
    apiVersion: target.apiVersion,
    caCertificates: [target.caCertificates ?? []].flat(),
    proxy: target.proxy,
  };
}
