import { authenticatedBy, basicAuth, headerToken, queryToken, signature } from '../../../../lambda/providers/auth/authentication';
import { InvalidSignatureError, MissingSignatureError } from '../../../../lambda/providers/errors';
import { ADAPTERS } from '../../../../lambda/providers/registry';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { AUTHENTICATION_CASES } from '../../../support/authenticationCases';
import { TEST_SECRET, signed } from '../../../support/webhookFixtures';

const SHA256 = { header: 'x-sig', algorithm: 'sha256' } as const;
const request = (headers: Record<string, string>, query: Record<string, string> = {}): WebhookRequest => ({ body: Buffer.from('{}'), headers, query });

describe('authenticatedBy', () => {
  const { authenticate, credentialPlaces } = authenticatedBy({
    credentials: [signature(SHA256), headerToken('x-token', 'the X-Token header', ['Bearer ']), queryToken('key')],
    missing: 'nothing to check',
    alsoSent: { headers: ['x-sig-copy'], bodyFields: ['secret'] },
  });

  it('checks the first credential the delivery carries with a value, and no other', () => {
    const signedRequest = signed(request({ 'x-token': 'wrong' }, { key: 'wrong' }), Buffer.from('{}'), 's', SHA256);
    expect(() => authenticate(signedRequest, ['s'], {})).not.toThrow();
    expect(() => authenticate(request({ 'x-sig': '', 'x-token': 'Bearer s' }), ['s'], {})).not.toThrow();
    expect(() => authenticate(request({ 'x-token': 'wrong' }, { key: 's' }), ['s'], {})).toThrow(InvalidSignatureError);
    expect(() => authenticate(request({}, { key: 's' }), ['s'], {})).not.toThrow();
  });

  it('refuses a delivery that carries none with MissingSignatureError', () => {
    expect(() => authenticate(request({ 'x-sig': '', 'x-sig-copy': 'ff' }), ['s'], {})).toThrow(new MissingSignatureError('nothing to check'));
  });

  it('declares every place it checks, and those the provider also sends a credential in', () => {
    expect(credentialPlaces({})).toEqual({ headers: ['x-sig-copy', 'x-sig', 'x-token'], query: ['key'], bodyFields: ['secret'] });
  });

  it('describes each source by its options, and a source without options alike', () => {
    const perSource = authenticatedBy((options) => ({ credentials: [basicAuth(typeof options.user === 'string' ? options.user : undefined)], missing: 'no Basic' }));
    const basic = (user: string) => request({ authorization: `Basic ${Buffer.from(`${user}:s`).toString('base64')}` });
    expect(() => perSource.authenticate(basic('ci'), ['s'], { user: 'ci' })).not.toThrow();
    expect(() => perSource.authenticate(basic('ci'), ['s'], { user: 'other' })).toThrow(InvalidSignatureError);
    expect(() => perSource.authenticate(basic('anyone'), ['s'], {})).not.toThrow();
    expect(perSource.credentialPlaces({})).toEqual({ headers: ['authorization'], query: [], bodyFields: [] });
  });
});

/**
 * The request with its headers and query recording each name read: what an adapter's authenticate
 * reads is where the credential travels, and must be redacted.
 */
function recorded(original: WebhookRequest): { request: WebhookRequest; headers: Set<string>; query: Set<string> } {
  const headers = new Set<string>();
  const query = new Set<string>();
  const reading = (values: Record<string, string>, names: Set<string>) =>
    new Proxy(values, {
      get: (target, name, receiver) => {
        if (typeof name === 'string') names.add(name);
        return Reflect.get(target, name, receiver);
      },
    });
  return { request: { ...original, headers: reading(original.headers, headers), query: reading(original.query, query) }, headers, query };
}

describe.each(AUTHENTICATION_CASES.map((authentication) => [authentication.name, authentication] as const))('%s', (_name, authentication) => {
  const adapter = ADAPTERS[authentication.provider];
  const options = authentication.options ?? {};

  it.each([
    ['with its credential', () => authentication.request()],
    ['without it', () => ({ ...authentication.request(), headers: { 'content-type': 'application/json' }, query: {} })],
  ])('declares as credential places every header and parameter its authentication reads, %s', (_with, make) => {
    const { request: reading, headers, query } = recorded(make());
    try {
      adapter.authenticate(reading, [TEST_SECRET], options);
    } catch (error) {
      if (!(error instanceof MissingSignatureError)) throw error;
    }
    const places = adapter.credentialPlaces(options);
    expect(headers.size).toBeGreaterThan(0);
    expect([...headers].filter((name) => !(places.headers ?? []).includes(name))).toEqual([]);
    expect([...query].filter((name) => !(places.query ?? []).includes(name))).toEqual([]);
  });
});
