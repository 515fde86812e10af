import { classifyTransportError } from '../../../lambda/codestream/classifyTransportError';
import { transportFailure } from '../../../lambda/status/transportFailure';

const error = (code: string, message = code) => Object.assign(new Error(message), { code });

it('a reset connection: retry, about the Git server', () => {
  expect(transportFailure(classifyTransportError(error('ECONNRESET'), 'execute', 'posting x', 10_000), 'GitLab')).toEqual({
    kind: 'retry',
    reason: 'the connection to GitLab failed with ECONNRESET (posting x)',
  });
});

it('a timeout: retry', () => {
  expect(transportFailure(classifyTransportError(error('ECONNABORTED'), 'execute', 'posting x', 5_000), 'GitHub')).toEqual({ kind: 'retry', reason: 'no answer from GitHub within 5000 ms (posting x)' });
});

it('an untrusted or misnamed certificate: failed, about the Git server and its URL', () => {
  expect(transportFailure(classifyTransportError(error('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'execute', 'posting x', 5_000), 'Gitea')).toEqual({
    kind: 'failed',
    reason: "Gitea's certificate is not trusted (self-signed certificate in certificate chain; posting x): add its CA to report.caCertificates",
  });
  expect(transportFailure(classifyTransportError(error('ERR_TLS_CERT_ALTNAME_INVALID', 'bad name'), 'execute', 'posting x', 5_000), 'Gitea')).toMatchObject({
    kind: 'failed',
    reason: expect.stringContaining('use in report.apiUrl a host name the certificate names'),
  });
});

it('a proxy that refuses the tunnel: failed, with its status; one that cannot reach the server: retry', () => {
  expect(transportFailure({ kind: 'rejected', stage: 'execute', status: 407, reason: 'the proxy http://p:3128 refused the tunnel to Code Stream with 407 (posting x): it asks for credentials', snippet: '' }, 'GitHub')).toEqual({
    kind: 'failed',
    status: 407,
    reason: 'the proxy http://p:3128 refused the tunnel to GitHub with 407 (posting x): it asks for credentials',
  });
  expect(transportFailure({ kind: 'retryable', stage: 'execute', cause: 'connection', status: 502, reason: 'r', snippet: '' }, 'GitHub')).toEqual({ kind: 'retry', status: 502, reason: 'r' });
});
