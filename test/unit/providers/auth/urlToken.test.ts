import { InvalidSignatureError, MissingSignatureError } from '../../../../lambda/providers/errors';
import { urlTokenAuthentication } from '../../../../lambda/providers/auth/urlToken';

const { authenticate, credentialPlaces } = urlTokenAuthentication({ tokenHeader: 'x-relay-token', tokenQuery: 'token' });
const request = (headers: Record<string, string>, query: Record<string, string>) => ({ body: Buffer.from('{}'), headers, query });

it('takes the token from the header, else from the query', () => {
  expect(() => authenticate(request({ 'x-relay-token': 't' }, {}), ['t'], {})).not.toThrow();
  expect(() => authenticate(request({}, { token: 't' }), ['t'], {})).not.toThrow();
  expect(() => authenticate(request({ 'x-relay-token': 'wrong' }, { token: 't' }), ['t'], {})).toThrow(
    new InvalidSignatureError("the x-relay-token header matches none of the source's secrets"),
  );
});

it('honours renamed places', () => {
  const options = { tokenHeader: 'X-Api-Key', tokenQuery: 'key' };
  expect(() => authenticate(request({ 'x-api-key': 't' }, {}), ['t'], options)).not.toThrow();
  expect(() => authenticate(request({}, { key: 't' }), ['t'], options)).not.toThrow();
  expect(() => authenticate(request({}, { token: 't' }), ['t'], options)).toThrow(
    new MissingSignatureError('no token: send the source\'s secret in the x-api-key header or the "key" query parameter of the webhook URL'),
  );
});

it('declares the places it reads, renamed or not', () => {
  expect(credentialPlaces({})).toEqual({ headers: ['x-relay-token'], query: ['token'], bodyFields: [] });
  expect(credentialPlaces({ tokenHeader: 'X-Api-Key', tokenQuery: 'key' })).toEqual({ headers: ['x-api-key'], query: ['key'], bodyFields: [] });
});
