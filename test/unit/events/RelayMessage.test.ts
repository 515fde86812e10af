import {
  MalformedMessageError,
  type RelayMessage,
  messageAttributes,
  messageBody,
  messageText,
  parseRelayMessage,
  serializeRelayMessage,
  sqsMessageBytes,
  withBody,
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
} as const;

/** As ingress writes it: the kinds of its events, and the body's bytes base64-encoded. */
const VALID = { ...ENVELOPE, eventKind: 'push', bodyBase64: Buffer.from(BODY).toString('base64'), headers: {} };
/** Where ingress kept a body too large for the queue. */
const REFERENCE = { bucket: 'relay-bodies', key: 'bodies/2026-11-28/github/0f6c1d2e', bytes: Buffer.byteLength(BODY) };
/** As ingress writes it for such a body: the reference instead of the body. */
const STORED = { ...ENVELOPE, eventKind: 'push', bodyRef: REFERENCE, headers: {} };
/** As the relay sends a delivery back to wait out a rule's quiet period. */
const DEFERRAL = { rule: 'build', eventDeliveryId: 'd-1', key: ['github', 'acme/app', 'branch:main'], windowId: 'w-1', dueAt: '2026-11-28T12:05:00.000Z' };
/** As messages queued before issue #12 hold it: the events, and the body as text. */
const LEGACY = { ...ENVELOPE, events: [{ kind: 'push' }], body: BODY, headers: {} };

it('reads a relay message, defaulting its query', () => {
  expect(parseRelayMessage(JSON.stringify(VALID))).toEqual({ ...VALID, query: {} });
});

it('reads a deferred message, keeping its deferral', () => {
  expect(parseRelayMessage(JSON.stringify({ ...VALID, deferred: DEFERRAL }))).toEqual({ ...VALID, deferred: DEFERRAL, query: {} });
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
  ['two forms of the body', JSON.stringify({ ...VALID, body: BODY }), 'the message has more than one of body, bodyBase64 and bodyRef'],
  ['a body and a reference to one', JSON.stringify({ ...VALID, bodyRef: REFERENCE }), 'the message has more than one of body, bodyBase64 and bodyRef'],
  ['a reference without its key', JSON.stringify({ ...STORED, bodyRef: { bucket: 'b', bytes: 3 } }), "the message's bodyRef is not a bucket, a key and a size"],
  ['an empty list of events', JSON.stringify({ ...LEGACY, events: [] }), "the message's events are not a list of events"],
  ['events that are no list', JSON.stringify({ ...LEGACY, events: { kind: 'push' } }), "the message's events are not a list of events"],
  ['an eventKind that is no text', JSON.stringify({ ...VALID, eventKind: ['push'] }), "the message's eventKind is not text"],
  ['no headers', JSON.stringify({ ...VALID, headers: null }), 'the message has no headers'],
  ...[{ rule: 7 }, { key: 'github' }, { key: [1] }, { windowId: undefined }, { dueAt: 'later' }].map((wrong) => [
    `a deferral with ${JSON.stringify(wrong)}`,
    JSON.stringify({ ...VALID, deferred: { ...DEFERRAL, ...wrong } }),
    "the message's deferred is not a rule, an event delivery id, a key, a window id and a due time",
  ]),
])('refuses %s', (_case, text, message) => {
  expect(() => parseRelayMessage(text)).toThrow(new MalformedMessageError(message));
});

describe.each([
  ['base64-encoded', VALID, { ...ENVELOPE, eventKind: 'push', body: BODY, headers: {}, query: {} }],
  ['as text', LEGACY, { ...LEGACY, query: {} }],
])('the body %s', (_form, fields, shown) => {
  const message = parseRelayMessage(JSON.stringify(fields));

  it('reads as the same bytes and the same text', () => {
    expect(messageBody(message)).toEqual(Buffer.from(BODY));
    expect(messageText(message)).toBe(BODY);
  });

  it('is shown as text, in the fields’ usual order', () => {
    expect(JSON.stringify(withTextBody(message))).toBe(JSON.stringify(shown));
  });
});

describe('a body kept in S3', () => {
  const message = parseRelayMessage(JSON.stringify(STORED));

  it('is read as a reference, which cannot be taken for the body', () => {
    expect(message.bodyRef).toEqual(REFERENCE);
    expect(() => messageBody(message)).toThrow('the body of delivery d-1 is in s3://relay-bodies/bodies/2026-11-28/github/0f6c1d2e: read it first');
  });

  it('once read, takes the reference’s place as bytes, the rest unchanged', () => {
    const read = withBody(message, Buffer.from(BODY));
    expect(read).toEqual({ ...ENVELOPE, eventKind: 'push', headers: {}, query: {}, bodyBase64: Buffer.from(BODY).toString('base64') });
    expect(messageText(read)).toBe(BODY);
  });

  it('is shown as the reference, and serialized as it is', () => {
    expect(withTextBody(message)).toBe(message);
    expect(JSON.parse(serializeRelayMessage(message).json)).toEqual(message);
    expect(serializeRelayMessage(message).bytes).toBe(Buffer.byteLength(JSON.stringify(message)));
  });
});

it('takes the eventKind attribute from the message, which ingress writes, over its events', () => {
  const message = { ...VALID, eventKind: 'tag', events: [{ kind: 'push' }], query: {} } as unknown as RelayMessage;
  expect(messageAttributes(message).eventKind).toBe('tag');
});

it('gives no eventKind attribute, which SQS would refuse empty, for a message that names no kind', () => {
  const { eventKind: _kinds, ...without } = VALID;
  expect(messageAttributes({ ...without, query: {} } as RelayMessage)).toEqual({ source: 'github', provider: 'github', deliveryId: 'd-1' });
});

it('gives the attributes SQS carries beside a message, and its size as SQS counts it', () => {
  const { eventKind: _kinds, ...without } = VALID;
  const message = { ...without, events: [{ kind: 'push' }, { kind: 'tag' }, { kind: 'push' }], query: {} } as unknown as RelayMessage;
  const attributes = messageAttributes(message);
  expect(attributes).toEqual({ source: 'github', provider: 'github', eventKind: 'push,tag', deliveryId: 'd-1' });
  // Each attribute's name, data type ("String") and value, in UTF-8 bytes, beside the body's.
  expect(sqsMessageBytes(2, attributes)).toBe(2 + (6 + 6 + 6) + (8 + 6 + 6) + (9 + 6 + 8) + (10 + 6 + 3));
});

describe('as ingress sends it', () => {
  const message = { ...VALID, eventKind: 'zoë ✓', headers: { 'x-note': 'a "quoted" \\ value' }, query: {} } as unknown as RelayMessage & { bodyBase64: string };
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
