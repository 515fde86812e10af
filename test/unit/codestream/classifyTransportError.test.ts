import { classifyTransportError } from '../../../lambda/codestream/classifyTransportError';

it.each(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED'])('%s is a timeout', (code) => {
  expect(classifyTransportError(Object.assign(new Error('x'), { code }), 'execute', 'executing p', 500)).toMatchObject({
    kind: 'retryable',
    cause: 'timeout',
    reason: 'no answer from Code Stream within 500 ms (executing p)',
  });
});

it.each(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EPIPE'])('%s is a connection failure', (code) => {
  expect(classifyTransportError(Object.assign(new Error('x'), { code }), 'login', 'logging in', 500)).toMatchObject({
    kind: 'retryable',
    stage: 'login',
    cause: 'connection',
    reason: `the connection to Code Stream failed with ${code} (logging in)`,
  });
});

it('finds the code on the cause', () => {
  const error = new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
  expect(classifyTransportError(error, 'execute', 'x', 1).reason).toContain('ECONNRESET');
});

it.each([
  ['ECONNABORTED', true],
  ['ECONNRESET', true],
  ['EPIPE', true],
  ['ECONNREFUSED', false],
  ['ENOTFOUND', false],
  ['EAI_AGAIN', false],
])('%s may have reached Code Stream: %s', (code, maybeProcessed) => {
  expect(classifyTransportError(Object.assign(new Error('x'), { code }), 'execute', 'x', 1)).toMatchObject({ kind: 'retryable', maybeProcessed });
});

describe('certificate problems: the tls outcome, never retried, with what to do', () => {
  const tlsError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  ])('%s: untrusted, add the CA', (code, message) => {
    expect(classifyTransportError(tlsError(code, message), 'login', 'logging in at https://vra.corp.example/iaas/api/login', 1)).toEqual({
      kind: 'tls',
      stage: 'login',
      cause: 'untrusted',
      reason: `Code Stream's certificate is not trusted (${message}; logging in at https://vra.corp.example/iaas/api/login): add its CA to codestream.caCertificates`,
      snippet: '',
    });
  });

  it.each([
    ['CERT_HAS_EXPIRED', 'expired', "renew the appliance's certificate"],
    ['CERT_NOT_YET_VALID', 'expired', "this machine's clock"],
    ['CERT_REVOKED', 'revoked', "replace the appliance's certificate"],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname', 'use in codestream.url a host name the certificate names'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'protocol', 'check the scheme and port of codestream.url'],
  ])('%s: %s', (code, cause, remedy) => {
    const outcome = classifyTransportError(tlsError(code, 'x'), 'execute', 'executing p', 1);
    expect(outcome).toMatchObject({ kind: 'tls', stage: 'execute', cause });
    expect(outcome.reason).toContain(remedy);
  });

  it("finds the code on the HTTP client error's cause, and bounds the verifier's message", () => {
    const error = new Error('request failed', { cause: tlsError('CERT_HAS_EXPIRED', 'certificate has expired '.repeat(50)) });
    const outcome = classifyTransportError(error, 'execute', 'executing p', 1);
    expect(outcome).toMatchObject({ kind: 'tls', cause: 'expired' });
    expect(outcome.reason.length).toBeLessThan(400);
  });
});
