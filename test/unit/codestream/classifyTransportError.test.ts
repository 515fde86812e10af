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
  expect(classifyTransportError(Object.assign(new Error('x'), { code }), 'execute', 'x', 1).maybeProcessed).toBe(maybeProcessed);
});
