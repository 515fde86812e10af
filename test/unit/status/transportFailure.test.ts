import { classifyTransportError } from '../../../lambda/codestream/classifyTransportError';
import type { Peer } from '../../../lambda/codestream/Peer';
import { transportFailure } from '../../../lambda/status/transportFailure';

const error = (code: string, message = code) => Object.assign(new Error(message), { code });
const server = (name: string): Peer => ({ name, settings: 'report', urlKey: 'apiUrl', machine: 'server' });

it('a reset connection: retry, about the Git server', () => {
  expect(transportFailure(classifyTransportError(error('ECONNRESET'), 'execute', 'posting x', 10_000, server('GitLab')))).toEqual({
    kind: 'retry',
    reason: 'the connection to GitLab failed with ECONNRESET (posting x)',
  });
});

it('a timeout: retry', () => {
  expect(transportFailure(classifyTransportError(error('ECONNABORTED'), 'execute', 'posting x', 5_000, server('GitHub')))).toEqual({ kind: 'retry', reason: 'no answer from GitHub within 5000 ms (posting x)' });
});

it('an untrusted, expired or misnamed certificate: failed, about the Git server and its report settings', () => {
  expect(transportFailure(classifyTransportError(error('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'execute', 'posting x', 5_000, server('Gitea')))).toEqual({
    kind: 'failed',
    reason: "Gitea's certificate is not trusted (self-signed certificate in certificate chain; posting x): add its CA to report.caCertificates",
  });
  expect(transportFailure(classifyTransportError(error('ERR_TLS_CERT_ALTNAME_INVALID', 'bad name'), 'execute', 'posting x', 5_000, server('Gitea')))).toMatchObject({
    kind: 'failed',
    reason: expect.stringContaining('use in report.apiUrl a host name the certificate names'),
  });
  expect(transportFailure(classifyTransportError(error('CERT_HAS_EXPIRED', 'expired'), 'execute', 'posting x', 5_000, server('Gitea'))).reason).toContain("renew the server's certificate");
});

it('a proxy that refuses the tunnel: failed, with its status; one that cannot reach the server: retry', () => {
  expect(transportFailure({ kind: 'rejected', stage: 'execute', status: 407, reason: 'the proxy http://p:3128 refused the tunnel to GitHub with 407 (posting x): it asks for credentials', snippet: '' })).toEqual({
    kind: 'failed',
    status: 407,
    reason: 'the proxy http://p:3128 refused the tunnel to GitHub with 407 (posting x): it asks for credentials',
  });
  expect(transportFailure({ kind: 'retryable', stage: 'execute', cause: 'connection', status: 502, reason: 'r', snippet: '' })).toEqual({ kind: 'retry', status: 502, reason: 'r' });
});
