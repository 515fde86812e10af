import { MalformedMessageError, parseRelayMessage } from '../../../lambda/events/RelayMessage';

const VALID = {
  version: 1,
  source: 'github',
  provider: 'github',
  deliveryId: 'd-1',
  receivedAt: '2026-11-28T12:00:00.000Z',
  events: [{ kind: 'push' }],
  body: '{}',
  headers: {},
};

it('reads a relay message, defaulting its query', () => {
  expect(parseRelayMessage(JSON.stringify(VALID))).toEqual({ ...VALID, query: {} });
});

it.each([
  ['not JSON', 'nope', 'the message body is not JSON'],
  ['another version', JSON.stringify({ ...VALID, version: 2 }), 'the message is not a relay message of version 1'],
  ['no delivery id', JSON.stringify({ ...VALID, deliveryId: undefined }), 'the message has no deliveryId'],
  ['no events', JSON.stringify({ ...VALID, events: [] }), 'the message has no events'],
  ['no headers', JSON.stringify({ ...VALID, headers: null }), 'the message has no headers'],
])('refuses %s', (_case, text, message) => {
  expect(() => parseRelayMessage(text)).toThrow(new MalformedMessageError(message));
});
