import { InvalidSignatureError, MissingSignatureError } from '../../../../lambda/providers/errors';
import { verifyBasicAuth } from '../../../../lambda/providers/auth/basicAuth';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

it('accepts a password that is one of the secrets, with any user name unless one is configured', () => {
  expect(() => verifyBasicAuth(basic('relay:s3cret'), ['old', 's3cret'])).not.toThrow();
  expect(() => verifyBasicAuth(basic('anyone:s3cret'), ['s3cret'])).not.toThrow();
  expect(() => verifyBasicAuth(basic('relay:s3cret'), ['s3cret'], 'relay')).not.toThrow();
  expect(() => verifyBasicAuth(basic('relay:pa:ss'), ['pa:ss'], 'relay')).not.toThrow();
});

it('refuses a wrong password or user name', () => {
  expect(() => verifyBasicAuth(basic('relay:nope'), ['s3cret'])).toThrow(InvalidSignatureError);
  expect(() => verifyBasicAuth(basic('mallory:s3cret'), ['s3cret'], 'relay')).toThrow(InvalidSignatureError);
  expect(() => verifyBasicAuth(basic('no-colon'), ['s3cret'])).toThrow('the Basic credentials are not in user:password form');
});

it('refuses a missing or non-Basic Authorization header', () => {
  expect(() => verifyBasicAuth(undefined, ['s3cret'])).toThrow(MissingSignatureError);
  expect(() => verifyBasicAuth('Bearer s3cret', ['s3cret'])).toThrow(MissingSignatureError);
});
