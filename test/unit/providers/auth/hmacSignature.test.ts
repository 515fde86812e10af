import crypto, { createHmac } from 'node:crypto';
import { InvalidSignatureError, MissingSignatureError } from '../../../../lambda/providers/errors';
import { hmacMatches, verifyHmac } from '../../../../lambda/providers/auth/hmacSignature';

const BODY = Buffer.from('Hello, World!');
const SECRET = "It's a Secret to Everybody";
// GitHub's documented test vector.
const GITHUB_VECTOR = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
const SCHEME = { header: 'x-sig', algorithm: 'sha256', prefix: 'sha256=' } as const;

it("matches GitHub's documented test vector", () => {
  expect(hmacMatches(BODY, `sha256=${GITHUB_VECTOR}`, [SECRET], SCHEME)).toBe(true);
  expect(hmacMatches(BODY, `SHA256=${GITHUB_VECTOR.toUpperCase()}`, [SECRET], SCHEME)).toBe(true);
});

it('refuses a wrong prefix, a truncated digest and another secret', () => {
  expect(hmacMatches(BODY, `sha1=${GITHUB_VECTOR}`, [SECRET], SCHEME)).toBe(false);
  expect(hmacMatches(BODY, `sha256=${GITHUB_VECTOR.slice(0, 63)}`, [SECRET], SCHEME)).toBe(false);
  expect(hmacMatches(BODY, `sha256=${GITHUB_VECTOR}`, ['other'], SCHEME)).toBe(false);
  expect(hmacMatches(BODY, `sha256=${GITHUB_VECTOR}`, [], SCHEME)).toBe(false);
});

it('checks base64 digests exactly, case included', () => {
  const digest = createHmac('sha512', SECRET).update(BODY).digest('base64');
  const scheme = { header: 'x-sig', algorithm: 'sha512', encoding: 'base64' } as const;
  expect(hmacMatches(BODY, digest, [SECRET], scheme)).toBe(true);
  expect(hmacMatches(BODY, digest.toLowerCase(), [SECRET], scheme)).toBe(false);
});

it('accepts any of the secrets, for rotation', () => {
  expect(hmacMatches(BODY, `sha256=${GITHUB_VECTOR}`, ['new-secret', SECRET], SCHEME)).toBe(true);
});

it('says which header is missing or wrong, never the values', () => {
  const request = (headers: Record<string, string>) => ({ body: BODY, headers, query: {} });
  expect(() => verifyHmac(request({}), [SECRET], SCHEME)).toThrow(new MissingSignatureError('the x-sig header is missing: the delivery is not signed'));
  expect(() => verifyHmac(request({ 'x-sig': '  ' }), [SECRET], SCHEME)).toThrow(MissingSignatureError);
  let thrown: Error | undefined;
  try {
    verifyHmac(request({ 'x-sig': 'sha256=abc' }), [SECRET], SCHEME);
  } catch (error) {
    thrown = error as Error;
  }
  expect(thrown).toBeInstanceOf(InvalidSignatureError);
  expect(thrown?.message).toBe("the x-sig signature does not match the body for any of the source's secrets");
});

it('computes one HMAC per secret, and none after the first that matches', () => {
  const hmacs = jest.spyOn(crypto, 'createHmac');
  try {
    expect(hmacMatches(BODY, `sha256=${GITHUB_VECTOR}`, [SECRET, 'previous-secret'], SCHEME)).toBe(true);
    expect(hmacs).toHaveBeenCalledTimes(1);
    hmacs.mockClear();
    expect(hmacMatches(BODY, `sha256=${GITHUB_VECTOR}`, ['new-secret', SECRET], SCHEME)).toBe(true);
    expect(hmacs).toHaveBeenCalledTimes(2);
  } finally {
    hmacs.mockRestore();
  }
});
