import { jwtExpiry } from '../../../lambda/codestream/login';

const jwt = (claims: object) =>
  ['{"alg":"none"}', JSON.stringify(claims), ''].map((part) => Buffer.from(part).toString('base64url')).join('.');

it('reads exp from a JWT, in ms', () => {
  expect(jwtExpiry(jwt({ sub: 'relay', exp: 1_795_915_446 }))).toBe(1_795_915_446_000);
});

it.each([['opaque-token'], [jwt({ sub: 'relay' })], [jwt({ exp: 'soon' })], ['a.%%%.c']])('has no expiry for %s', (token) => {
  expect(jwtExpiry(token)).toBeUndefined();
});
