import type { ProviderName } from '../../../lambda/events/CanonicalEvent';
import { redactCredentials } from '../../../lambda/ingress/redactCredentials';
import { receiveWebhook } from '../../../lambda/providers/receiveWebhook';
import { ADAPTERS } from '../../../lambda/providers/registry';
import type { SourceConfig, WebhookRequest } from '../../../lambda/providers/types';
import { AUTHENTICATION_CASES, type AuthenticationCase, credentialLeaks } from '../../support/authenticationCases';
import { TEST_SECRET, fixture } from '../../support/webhookFixtures';

const SECRET = "It's a Secret to Everybody";

function redact(headers: Record<string, string>, query: Record<string, string>, body: string, source: Partial<SourceConfig> = {}) {
  return redactCredentials({ body: Buffer.from(body), headers, query }, { name: 's', provider: 'generic', secrets: [SECRET, 'old-secret'], ...source });
}

/** What ingress queues of an authenticated delivery, as text: its events and the delivery redacted. */
function queuedTexts(authentication: AuthenticationCase, request: WebhookRequest, scrubbedSecrets: string[]): string[] {
  const source: SourceConfig = { name: 's', provider: authentication.provider, secrets: [TEST_SECRET], options: authentication.options };
  const { events, text } = receiveWebhook(source, request);
  const redacted = redactCredentials(request, { ...source, secrets: scrubbedSecrets }, text);
  return [JSON.stringify(events), redacted.body, ...Object.values(redacted.headers), ...Object.values(redacted.query)];
}

describe.each(AUTHENTICATION_CASES.map((authentication) => [authentication.name, authentication] as const))('%s', (_name, authentication) => {
  it('leaves no credential in the queued delivery by the places its adapter declares alone', () => {
    const request = authentication.request();
    expect(credentialLeaks(queuedTexts(authentication, request, []), authentication, request)).toEqual([]);
  });

  it('leaves no credential in the queued delivery, the secrets scrubbed too', () => {
    const request = authentication.request();
    expect(credentialLeaks(queuedTexts(authentication, request, [TEST_SECRET]), authentication, request)).toEqual([]);
  });
});

it('has an authentication case for every provider', () => {
  const covered = new Set(AUTHENTICATION_CASES.map((authentication) => authentication.provider));
  expect((Object.keys(ADAPTERS) as ProviderName[]).filter((provider) => !covered.has(provider))).toEqual([]);
});

it('sees the credential of an adapter that forgets to declare the place it reads', () => {
  const gitlab = AUTHENTICATION_CASES.find((authentication) => authentication.name === 'gitlab');
  if (!gitlab) throw new Error('no gitlab case');
  const forgetful = jest.spyOn(ADAPTERS.gitlab, 'credentialPlaces').mockReturnValue({});
  try {
    const request = gitlab.request();
    expect(credentialLeaks(queuedTexts(gitlab, request, []), gitlab, request)).toEqual([TEST_SECRET]);
  } finally {
    forgetful.mockRestore();
  }
});

it('removes the places the provider declares for the source’s options and the HTTP credential headers, and keeps signatures', () => {
  const result = redact(
    { authorization: 'Basic cmVsYXk6c2VjcmV0', cookie: 'session=1', 'x-hub-signature-256': 'sha256=ff', 'x-my-token': 'zzz', 'content-type': 'application/json' },
    { key: 'zzz', page: '2' },
    '{}',
    { provider: 'dockerhub', options: { tokenHeader: 'X-My-Token', tokenQuery: 'key' } },
  );
  expect(result.headers).toEqual({
    authorization: '[redacted]',
    cookie: '[redacted]',
    'x-hub-signature-256': 'sha256=ff',
    'x-my-token': '[redacted]',
    'content-type': 'application/json',
  });
  expect(result.query).toEqual({ key: '[redacted]', page: '2' });
});

it('leaves another provider’s places alone: what they hold is no credential of this source', () => {
  const result = redact({ 'x-gitlab-token': 'abc' }, { token: 'abc' }, '{}', { provider: 'github' });
  expect(result).toMatchObject({ headers: { 'x-gitlab-token': 'abc' }, query: { token: 'abc' } });
});

it("removes a source's secret wherever it appears: the body, any header, any parameter", () => {
  const result = redact({ 'x-custom': `v=${SECRET}` }, { q: 'old-secret' }, JSON.stringify({ secret: SECRET, other: 1 }));
  expect(result.headers['x-custom']).toBe('v=[redacted]');
  expect(result.query.q).toBe('[redacted]');
  expect(result.body).toBe('{"secret":"[redacted]","other":1}');
});

it('removes a secret URL-encoded in a header, and form-encoded in a form body', () => {
  const form = `payload=%7B%7D&token=${new URLSearchParams({ s: SECRET }).toString().slice(2)}`;
  const result = redact({ referer: `https://ci.example.com/hook?token=${encodeURIComponent(SECRET)}`, 'content-type': 'application/x-www-form-urlencoded' }, {}, form);
  expect(result.headers.referer).toBe('https://ci.example.com/hook?token=[redacted]');
  expect(result.body).toBe('payload=%7B%7D&token=[redacted]');
});

it('removes a secret JSON-escaped in a JSON body', () => {
  const secret = 'a "quoted" \\ secret';
  const result = redact({}, {}, JSON.stringify({ note: `x ${secret} y` }), { secrets: [secret] });
  expect(result.body).toBe('{"note":"x [redacted] y"}');
});

it('reads the generic provider’s token places', () => {
  const result = redact({ 'x-ci-token': 't' }, { auth: 't' }, '{}', { options: { token: { header: 'X-CI-Token', query: 'auth' } } });
  expect(result.headers['x-ci-token']).toBe('[redacted]');
  expect(result.query.auth).toBe('[redacted]');
});

it('redacts a declared body field whatever it holds, keeping every other byte of the body', () => {
  const request = fixture('gitea/push.docs');
  const text = request.body.toString('utf8');
  const redacted = redactCredentials(request, { name: 'gitea', provider: 'gitea', secrets: [] }).body;
  expect(redacted).toBe(text.replace('"secret": "3gEsCfjlV2ugRwgpU#w1*WaW*wa4NXgGmpCfkbG3"', '"secret": "[redacted]"'));
  expect(redacted).not.toBe(text);
});

it('redacts a declared body field at any depth and with escapes in it, and no text that only looks like one', () => {
  const body = '{"a": {"secret" : "x\\"y"}, "note": "say \\"secret\\": \\"z\\"", "secret": 3}';
  const redacted = redactCredentials({ body: Buffer.from(body), headers: {}, query: {} }, { name: 'gitea', provider: 'gitea', secrets: [] }).body;
  expect(JSON.parse(redacted)).toEqual({ a: { secret: '[redacted]' }, note: 'say "secret": "z"', secret: 3 });
});
