import { redactCredentials } from '../../../lambda/ingress/redactCredentials';

const SECRET = "It's a Secret to Everybody";

function redact(headers: Record<string, string>, query: Record<string, string>, body: string, options?: Record<string, unknown>) {
  return redactCredentials(
    { body: Buffer.from(body), headers, query },
    { name: 's', provider: 'generic', secrets: [SECRET, 'old-secret'], options },
  );
}

it('removes the headers and query parameters that carry credentials, and keeps signatures', () => {
  const result = redact(
    { authorization: 'Basic cmVsYXk6c2VjcmV0', 'x-gitlab-token': 'abc', 'x-hub-signature-256': 'sha256=ff', 'x-my-token': 'zzz', 'content-type': 'application/json' },
    { token: 'abc', key: 'zzz', page: '2' },
    '{}',
    { tokenHeader: 'X-My-Token', tokenQuery: 'key' },
  );
  expect(result.headers).toEqual({
    authorization: '[redacted]',
    'x-gitlab-token': '[redacted]',
    'x-hub-signature-256': 'sha256=ff',
    'x-my-token': '[redacted]',
    'content-type': 'application/json',
  });
  expect(result.query).toEqual({ token: '[redacted]', key: '[redacted]', page: '2' });
});

it("removes a source's secret wherever it appears: the body, any header, any parameter", () => {
  const result = redact({ 'x-custom': `v=${SECRET}` }, { q: 'old-secret' }, JSON.stringify({ secret: SECRET, other: 1 }));
  expect(result.headers['x-custom']).toBe('v=[redacted]');
  expect(result.query.q).toBe('[redacted]');
  expect(result.body).toBe('{"secret":"[redacted]","other":1}');
});

it('reads the generic provider’s token places', () => {
  const result = redact({ 'x-ci-token': 't' }, { auth: 't' }, '{}', { token: { header: 'X-CI-Token', query: 'auth' } });
  expect(result.headers['x-ci-token']).toBe('[redacted]');
  expect(result.query.auth).toBe('[redacted]');
});
