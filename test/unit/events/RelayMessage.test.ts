import {
  MalformedMessageError,
  type RelayMessage,
  messageAttributes,
  messageBody,
  messageText,
  parseRelayMessage,
  serializeRelayMessage,
  sqsMessageBytes,
  withTextBody,
} from '../../../lambda/events/RelayMessage';

/** A body that is not plain ASCII, so that text and bytes are told apart. */
const BODY = '{"message":"café ✓"}';

const ENVELOPE = {
  version: 1,
  source: 'github',
  provider: 'github',
  deliveryId: 'd-1',
  receivedAt: '2026-11-28T12:00:00.000Z',
  events: [{ kind: 'push' }],
} as const;

/** As ingress writes it: the body's bytes base64-encoded. */
const VALID = { ...ENVELOPE, bodyBase64: Buffer.from(BODY).toString('base64'), headers: {} };
/** As messages queued before issue #12 hold it: the body as text. */
const LEGACY = { ...ENVELOPE, body: BODY, headers: {} };

it('reads a relay message, defaulting its query', () => {
  expect(parseRelayMessage(JSON.stringify(VALID))).toEqual({ ...VALID, query: {} });
});

it('reads a message queued with the body as text', () => {
  expect(parseRelayMessage(JSON.stringify(LEGACY))).toEqual({ ...LEGACY, query: {} });
});

it.each([
  ['not JSON', 'nope', 'the message body is not JSON'],
  ['another version', JSON.stringify({ ...VALID, version: 2 }), 'the message is not a relay message of version 1'],
  ['no delivery id', JSON.stringify({ ...VALID, deliveryId: undefined }), 'the message has no deliveryId'],
  ['no body', JSON.stringify({ ...VALID, bodyBase64: undefined }), 'the message has no body'],
  ['a body that is no text', JSON.stringify({ ...LEGACY, body: {} }), 'the message has no body'],
  ['both forms of the body', JSON.stringify({ ...VALID, body: BODY }), 'the message has both a body and a bodyBase64'],
  ['no events', JSON.stringify({ ...VALID, events: [] }), 'the message has no events'],
  ['no headers', JSON.stringify({ ...VALID, headers: null }), 'the message has no headers'],
])('refuses %s', (_case, text, message) => {
  expect(() => parseRelayMessage(text)).toThrow(new MalformedMessageError(message));
});

describe.each([
  ['base64-encoded', VALID],
  ['as text', LEGACY],
])('the body %s', (_form, fields) => {
  const message = parseRelayMessage(JSON.stringify(fields));

  it('reads as the same bytes and the same text', () => {
    expect(messageBody(message)).toEqual(Buffer.from(BODY));
    expect(messageText(message)).toBe(BODY);
  });

  it('is shown as text, in the fields’ usual order', () => {
    expect(JSON.stringify(withTextBody(message))).toBe(JSON.stringify({ ...LEGACY, query: {} }));
  });
});

it('gives the attributes SQS carries beside a message, and its size as SQS counts it', () => {
  const message: RelayMessage = { ...VALID, events: [{ kind: 'push' }, { kind: 'tag' }, { kind: 'push' }], query: {} } as unknown as RelayMessage;
  const attributes = messageAttributes(message);
  expect(attributes).toEqual({ source: 'github', provider: 'github', eventKind: 'push,tag', deliveryId: 'd-1' });
  // Each attribute's name, data type ("String") and value, in UTF-8 bytes, beside the body's.
  expect(sqsMessageBytes(2, attributes)).toBe(2 + (6 + 6 + 6) + (8 + 6 + 6) + (9 + 6 + 8) + (10 + 6 + 3));
});

describe('as ingress sends it', () => {
  const message = { ...VALID, events: [{ kind: 'push', sender: 'zoë ✓' }], headers: { 'x-note': 'a "quoted" \\ value' }, query: {} } as unknown as RelayMessage & { bodyBase64: string };
  const serialized = serializeRelayMessage(message);

  it('is the JSON of the message, the body last', () => {
    expect(JSON.parse(serialized.json)).toEqual(message);
    const { bodyBase64, ...envelope } = message;
    expect(serialized.json).toBe(JSON.stringify({ ...envelope, bodyBase64 }));
    expect(parseRelayMessage(serialized.json)).toEqual(message);
  });

  it('knows its size in UTF-8 bytes, characters beyond ASCII included', () => {
    expect(serialized.bytes).toBe(Buffer.byteLength(serialized.json));
    expect(serialized.bytes).toBeGreaterThan(serialized.json.length);
  });
});
