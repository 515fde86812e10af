import type { ProviderName } from '../../../lambda/events/CanonicalEvent';
import { redactCredentials } from '../../../lambda/ingress/redactCredentials';
import { receiveWebhook } from '../../../lambda/providers/receiveWebhook';
import { ADAPTERS } from '../../../lambda/providers/registry';
import type { SourceConfig, WebhookRequest } from '../../../lambda/providers/types';
import { AUTHENTICATION_CASES, type AuthenticationCase, credentialLeaks } from '../../support/authenticationCases';
import { formEncoded, htmlSafeEscaped, jsonEscaped, percentEncodedEveryByte, unicodeEscaped, urlEncoded } from '../../support/secretEncodings';
import { TEST_SECRET, fixture, withHeaders } from '../../support/webhookFixtures';

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

  it('redacts every header and parameter the credential may travel in, signatures included', () => {
    const request = authentication.request();
    const redacted = redactCredentials(request, { name: 's', provider: authentication.provider, secrets: [], options: authentication.options });
    const carried = authentication.credentialHeaders.filter((header) => request.headers[header] !== undefined);
    expect(carried.length + (authentication.credentialQuery ?? []).filter((name) => request.query[name] !== undefined).length).toBeGreaterThan(0);
    for (const header of carried) expect([header, redacted.headers[header]]).toEqual([header, '[redacted]']);
    for (const name of authentication.credentialQuery ?? []) if (request.query[name] !== undefined) expect([name, redacted.query[name]]).toEqual([name, '[redacted]']);
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

it('removes the places the provider declares for the source’s options and the HTTP credential headers, and no other', () => {
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

// A signature is a credential: whoever holds a signed copy of a delivery can replay it.
it.each<[ProviderName, Record<string, unknown>, string[], string[], string[]]>([
  ['github', {}, ['x-hub-signature-256', 'x-hub-signature'], [], []],
  ['gitlab', {}, ['x-gitlab-token'], [], []],
  ['bitbucket-cloud', {}, ['x-hub-signature'], [], []],
  ['bitbucket-server', {}, ['x-hub-signature', 'authorization'], [], []],
  ['gitea', {}, ['x-gogs-signature', 'x-hub-signature', 'x-gitea-signature', 'x-hub-signature-256'], [], ['secret']],
  ['forgejo', {}, ['x-gogs-signature', 'x-hub-signature', 'x-forgejo-signature', 'x-gitea-signature', 'x-hub-signature-256'], [], ['secret']],
  ['azure-devops', {}, ['authorization'], [], []],
  ['azure-devops', { tokenHeader: 'X-Relay-Token' }, ['x-relay-token'], [], []],
  ['dockerhub', {}, ['x-relay-token'], ['token'], []],
  ['quay', { tokenHeader: 'X-Quay-Key', tokenQuery: 'key' }, ['x-quay-key'], ['key'], []],
  ['aws-ecr', {}, ['x-api-key'], ['token'], []],
  ['harbor', {}, ['authorization'], [], []],
  ['jfrog-artifactory', {}, ['x-jfrog-event-auth'], [], []],
  ['jfrog-artifactory', { signedPayload: true }, ['x-jfrog-event-auth'], [], []],
  ['nexus', {}, ['x-nexus-webhook-signature'], [], []],
  ['generic', { signature: { header: 'X-Signature' } }, ['x-signature'], [], []],
  ['generic', { token: { header: 'X-CI-Token', query: 'auth' } }, ['x-ci-token'], ['auth'], []],
])('%s with options %j declares its credentials in headers %j, query %j, body fields %j', (provider, options, headers, query, bodyFields) => {
  expect(ADAPTERS[provider].credentialPlaces(options)).toEqual({ headers, query, bodyFields });
});

it('redacts a signature header, and nothing of a header that only resembles one', () => {
  const result = redact({ 'x-signature': 'sha256=ff', 'x-signature-note': 'kept' }, {}, '{}', { options: { signature: { header: 'X-Signature' } } });
  expect(result.headers).toEqual({ 'x-signature': '[redacted]', 'x-signature-note': 'kept' });
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
  const form = `payload=%7B%7D&token=${formEncoded(SECRET)}`;
  const result = redact({ referer: `https://ci.example.com/hook?token=${urlEncoded(SECRET)}`, 'content-type': 'application/x-www-form-urlencoded' }, {}, form);
  expect(result.headers.referer).toBe('https://ci.example.com/hook?token=[redacted]');
  // The field that held it is written anew, form-encoded: `[` and `]` as %5B and %5D.
  expect(result.body).toBe('payload=%7B%7D&token=%5Bredacted%5D');
  expect(new URLSearchParams(result.body).get('token')).toBe('[redacted]');
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

describe('a secret in a JSON body, however its strings are escaped', () => {
  /** The body with `written` as the text between the quotes of one string value, beside fields that must stay as they are. */
  const body = (written: string) => `{"id": 1234567890123456789, "url": "https:\\/\\/example.com\\/a?b=1\\u0026c=2", "note": "x ${written} y", "tab": "\\t"}`;
  const after = body('[redacted]');

  it.each([
    ['as it is', SECRET],
    ['JSON-escaped', jsonEscaped(SECRET)],
    ['with every character \\u-escaped', unicodeEscaped(SECRET)],
    ['with every character \\u-escaped in upper-case hex', unicodeEscaped(SECRET, () => true, true)],
    ['with one letter \\u-escaped', unicodeEscaped(SECRET, (index) => index === SECRET.indexOf('E'))],
    ["as an HTML-safe encoder writes it (' as \\u0027)", htmlSafeEscaped(SECRET)],
    ['URL-encoded', urlEncoded(SECRET)],
    ['form-encoded', formEncoded(SECRET)],
  ])('removes it %s, keeping every other byte', (_how, written) => {
    const redacted = redact({}, {}, body(written)).body;
    expect(redacted).toBe(after);
    expect(JSON.parse(redacted)).toMatchObject({ url: 'https://example.com/a?b=1&c=2', note: 'x [redacted] y', tab: '\t' });
  });

  it('removes a secret that has characters JSON must escape, or may (`\\/`)', () => {
    const secret = 'a/"quoted"\\secret/';
    const written = jsonEscaped(secret).replace(/\//g, '\\/');
    expect(redact({}, {}, body(written), { secrets: [secret] }).body).toBe(after);
  });

  it('removes a secret without a letter or a digit, in every form', () => {
    const secret = '!@#$ %^&*()';
    for (const written of [jsonEscaped(secret), unicodeEscaped(secret), urlEncoded(secret), formEncoded(secret)]) {
      expect(redact({}, {}, body(written), { secrets: [secret] }).body).toBe(after);
    }
  });

  it('removes it from a key, which the body is then read with', () => {
    const result = redact({}, {}, `{"${unicodeEscaped(SECRET)}": 1, "b": 2}`);
    expect(JSON.parse(result.body)).toEqual({ '[redacted]': 1, b: 2 });
  });

  it('removes every secret of the source, the previous one too', () => {
    expect(redact({}, {}, `{"a": "${unicodeEscaped('old-secret')}", "b": "${SECRET}"}`).body).toBe('{"a": "[redacted]", "b": "[redacted]"}');
  });

  it('removes it from text outside the strings, where no JSON reader finds it', () => {
    expect(redact({}, {}, '{"a": 12345678, "b": "12345678"}', { secrets: ['345'] }).body).toBe('{"a": 12[redacted]678, "b": "12[redacted]678"}');
  });

  it('leaves a body without a secret as it is, whatever it escapes or shares with a secret', () => {
    for (const text of [body('Everybody'), body('\\u0049t\\u0027s a Secret'), body('It\\u0027s a Secret to Every body'), '{"a": "\\\\u0049"}', fixture('dockerhub/push').body.toString('utf8')]) {
      expect(redact({}, {}, text).body).toBe(text);
    }
  });

  it('reads a body that is not valid JSON as far as it can, and leaves no secret in it', () => {
    for (const text of [`{"a": "${unicodeEscaped(SECRET)}`, `{"a": "\\u0049${SECRET}`, `${SECRET}"`, `"\\u00`, '\\u0049t']) {
      expect(redact({}, {}, text).body).not.toContain(SECRET);
    }
  });
});

describe('a secret in a form body, however it is encoded', () => {
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  /** GitHub's form delivery: the JSON in `payload`, with `written` between the quotes of one string. */
  const form = (written: string, encode: (json: string) => string = (json) => formEncoded(json)) => `payload=${encode(`{"note":"x ${written} y","n":1}`)}`;
  const payloadOf = (text: string) => new URLSearchParams(text).get('payload');

  it.each([
    ['form-encoded JSON', form(SECRET)],
    ['URL-encoded JSON', form(SECRET, urlEncoded)],
    ['every byte percent-encoded, in lower-case hex', form(SECRET, (json) => percentEncodedEveryByte(json, true))],
    ['form-encoded JSON, every character \\u-escaped', form(unicodeEscaped(SECRET))],
    ['form-encoded JSON, itself holding the secret URL-encoded', form(urlEncoded(SECRET))],
  ])('removes it from the payload as %s', (_how, text) => {
    const result = redact(FORM, {}, `${text}&other=1`);
    expect(payloadOf(result.body)).toBe('{"note":"x [redacted] y","n":1}');
    expect(result.body.endsWith('&other=1')).toBe(true);
  });

  it('removes it from any other field, and from a field’s name', () => {
    const result = redact(FORM, {}, `payload=%7B%7D&token=${percentEncodedEveryByte(SECRET)}&${formEncoded(SECRET)}=1`);
    expect([...new URLSearchParams(result.body)]).toEqual([
      ['payload', '{}'],
      ['token', '[redacted]'],
      ['[redacted]', '1'],
    ]);
  });

  it('leaves a form body without a secret byte for byte as sent', () => {
    const text = form('Everybody', (json) => percentEncodedEveryByte(json, true));
    expect(redact(FORM, {}, text).body).toBe(text);
  });

  it('redacts a credential field of the payload', () => {
    const result = redactCredentials({ body: Buffer.from(form('x').replace('%22note%22', '%22secret%22')), headers: FORM, query: {} }, { name: 'gitea', provider: 'gitea', secrets: [] });
    expect(JSON.parse(payloadOf(result.body) ?? '')).toEqual({ secret: '[redacted]', n: 1 });
  });
});

it('redacts a credential field whose name is written with escapes', () => {
  const body = '{"s\\u0065cret": "plain", "note": "secret"}';
  const redacted = redactCredentials({ body: Buffer.from(body), headers: {}, query: {} }, { name: 'gitea', provider: 'gitea', secrets: [] }).body;
  expect(redacted).toBe('{"s\\u0065cret": "[redacted]", "note": "secret"}');
});

it('leaves no signature of a signed delivery: every Forgejo signature header is redacted', () => {
  const request = withHeaders(fixture('gitea/push'), { 'x-forgejo-signature': 'ff' });
  const redacted = redactCredentials(request, { name: 'forgejo', provider: 'forgejo', secrets: [TEST_SECRET] });
  const signatures = ['x-forgejo-signature', 'x-gitea-signature', 'x-gogs-signature', 'x-hub-signature-256', 'x-hub-signature'].filter((header) => request.headers[header] !== undefined);
  expect(signatures.length).toBeGreaterThan(2);
  for (const header of signatures) expect(redacted.headers[header]).toBe('[redacted]');
});
