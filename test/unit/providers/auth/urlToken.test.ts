import { InvalidSignatureError, MissingSignatureError } from '../../../../lambda/providers/errors';
import { verifyUrlToken } from '../../../../lambda/providers/auth/urlToken';

const DEFAULTS = { tokenHeader: 'x-relay-token', tokenQuery: 'token' };
const request = (headers: Record<string, string>, query: Record<string, string>) => ({ body: Buffer.from('{}'), headers, query });

it('takes the token from the header, else from the query', () => {
  expect(() => verifyUrlToken(request({ 'x-relay-token': 't' }, {}), ['t'], {}, DEFAULTS)).not.toThrow();
  expect(() => verifyUrlToken(request({}, { token: 't' }), ['t'], {}, DEFAULTS)).not.toThrow();
  expect(() => verifyUrlToken(request({ 'x-relay-token': 'wrong' }, { token: 't' }), ['t'], {}, DEFAULTS)).toThrow(
    new InvalidSignatureError("the x-relay-token header matches none of the source's secrets"),
  );
});

it('honours renamed places', () => {
  const options = { tokenHeader: 'X-Api-Key', tokenQuery: 'key' };
  expect(() => verifyUrlToken(request({ 'x-api-key': 't' }, {}), ['t'], options, DEFAULTS)).not.toThrow();
  expect(() => verifyUrlToken(request({}, { key: 't' }), ['t'], options, DEFAULTS)).not.toThrow();
  expect(() => verifyUrlToken(request({}, { token: 't' }), ['t'], options, DEFAULTS)).toThrow(
    new MissingSignatureError('no token: send the source\'s secret in the x-api-key header or the "key" query parameter of the webhook URL'),
  );
});
