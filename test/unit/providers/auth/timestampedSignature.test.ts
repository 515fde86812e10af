import { createHmac } from 'node:crypto';
import { type TimestampScheme, timestampedSignature } from '../../../../lambda/providers/auth/timestampedSignature';
import { InvalidSignatureError, MissingSignatureError } from '../../../../lambda/providers/errors';
import type { WebhookRequest } from '../../../../lambda/providers/types';

const SECRET = 'current-secret';
const PREVIOUS = 'previous-secret';
const BODY = Buffer.from('{"type":"build.finished","id":42}');
const NOW = Date.parse('2026-11-28T12:00:00Z');
const NOW_SECONDS = NOW / 1000;
const SCHEME = { header: 'x-signature', algorithm: 'sha256', prefix: 'v1=' } as const;
const TIMESTAMP: TimestampScheme = { header: 'x-timestamp', toleranceSeconds: 300, format: 'unix', signedPayload: '{timestamp}.{body}' };

function sign(payload: Buffer, secret = SECRET): string {
  return `v1=${createHmac('sha256', secret).update(payload).digest('hex')}`;
}

/** A delivery signed over `<timestamp>.<body>`, as the default template says. */
function delivery(timestamp: string, { body = BODY, secret = SECRET } = {}): WebhookRequest {
  const payload = Buffer.concat([Buffer.from(`${timestamp}.`), body]);
  return { body, headers: { 'x-signature': sign(payload, secret), 'x-timestamp': timestamp }, query: {} };
}

function verify(request: WebhookRequest, timestamp: Partial<TimestampScheme> = {}, secrets: readonly string[] = [SECRET]): void {
  timestampedSignature(SCHEME, { ...TIMESTAMP, ...timestamp }, () => NOW).verify(request, secrets);
}

function refusal(request: WebhookRequest, timestamp: Partial<TimestampScheme> = {}): Error | undefined {
  try {
    verify(request, timestamp);
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

it('is a credential in the signature header, not the timestamp header', () => {
  expect(timestampedSignature(SCHEME, TIMESTAMP).place).toEqual({ header: 'x-signature' });
});

it('accepts a delivery signed now', () => {
  expect(() => verify(delivery(String(NOW_SECONDS)))).not.toThrow();
});

it('accepts a timestamp exactly at either edge of the tolerance', () => {
  expect(() => verify(delivery(String(NOW_SECONDS - 300)))).not.toThrow();
  expect(() => verify(delivery(String(NOW_SECONDS + 300)))).not.toThrow();
  expect(() => verify(delivery(String(NOW_SECONDS - 10)), { toleranceSeconds: 10 })).not.toThrow();
});

it('refuses a stale delivery, saying by how much', () => {
  expect(refusal(delivery(String(NOW_SECONDS - 301)))).toEqual(
    new InvalidSignatureError('the x-signature signature is stale by 301 seconds (x-timestamp; the tolerance is 300 seconds)'),
  );
  expect(refusal(delivery(String(NOW_SECONDS - 3600)))).toBeInstanceOf(InvalidSignatureError);
});

it('refuses a delivery from the future, saying by how much', () => {
  expect(refusal(delivery(String(NOW_SECONDS + 301)))).toEqual(
    new InvalidSignatureError('the x-signature signature is from the future by 301 seconds (x-timestamp; the tolerance is 300 seconds)'),
  );
});

it('refuses a delivery without the timestamp header, or without the signature, as unsigned', () => {
  const { headers } = delivery(String(NOW_SECONDS));
  expect(refusal({ body: BODY, headers: { 'x-signature': headers['x-signature']! }, query: {} })).toEqual(
    new MissingSignatureError('the x-timestamp timestamp header is missing: the signature cannot be checked'),
  );
  expect(refusal({ body: BODY, headers: { ...headers, 'x-timestamp': ' ' }, query: {} })).toBeInstanceOf(MissingSignatureError);
  expect(refusal({ body: BODY, headers: { 'x-timestamp': headers['x-timestamp']! }, query: {} })).toEqual(
    new MissingSignatureError('the x-signature header is missing: the delivery is not signed'),
  );
});

it.each([
  ['unix', 'yesterday', 'Unix time in seconds'],
  ['unix', '1795867200.5', 'Unix time in seconds'],
  ['unix', '-1795867200', 'Unix time in seconds'],
  ['unix-ms', '0x1234', 'Unix time in milliseconds'],
  ['iso', '2026-11-28 12:00:00', 'ISO 8601 time with a time zone'],
  ['iso', '2026-11-28T12:00:00', 'ISO 8601 time with a time zone'],
  ['iso', '2026-13-45T12:00:00Z', 'ISO 8601 time with a time zone'],
] as const)('refuses a %s timestamp that does not parse: %j', (format, timestamp, name) => {
  expect(refusal(delivery(timestamp), { format })).toEqual(new InvalidSignatureError(`the x-timestamp timestamp header is not a ${name}`));
});

it('refuses a tampered body, and a timestamp changed after signing', () => {
  const request = delivery(String(NOW_SECONDS));
  const tampered = Buffer.from(BODY);
  tampered[5] = 0x20;
  const message = "the x-signature signature does not match the timestamp and body for any of the source's secrets";
  expect(refusal({ ...request, body: tampered })).toEqual(new InvalidSignatureError(message));
  expect(refusal({ ...request, headers: { ...request.headers, 'x-timestamp': String(NOW_SECONDS + 1) } })).toEqual(new InvalidSignatureError(message));
});

it('refuses an HMAC of the body alone: the timestamp must be signed', () => {
  const request = delivery(String(NOW_SECONDS));
  expect(refusal({ ...request, headers: { ...request.headers, 'x-signature': sign(BODY) } })).toBeInstanceOf(InvalidSignatureError);
});

it('accepts either secret during a rotation, and neither other one', () => {
  expect(() => verify(delivery(String(NOW_SECONDS), { secret: PREVIOUS }), {}, [SECRET, PREVIOUS])).not.toThrow();
  expect(() => verify(delivery(String(NOW_SECONDS)), {}, [SECRET, PREVIOUS])).not.toThrow();
  expect(() => verify(delivery(String(NOW_SECONDS), { secret: 'other' }), {}, [SECRET, PREVIOUS])).toThrow(InvalidSignatureError);
});

it.each([
  ['unix', String(NOW_SECONDS)],
  ['unix-ms', String(NOW - 299_999)],
  ['iso', '2026-11-28T12:04:59.999Z'],
  ['iso', '2026-11-28T13:00:00+01:00'],
] as const)('reads a %s timestamp: %s', (format, timestamp) => {
  expect(() => verify(delivery(timestamp), { format })).not.toThrow();
});

it('measures unix-ms and iso timestamps to the millisecond', () => {
  expect(refusal(delivery(String(NOW - 300_001)), { format: 'unix-ms' })?.message).toContain('stale by 300.001 seconds');
  expect(refusal(delivery('2026-11-28T12:05:00.001Z'), { format: 'iso' })?.message).toContain('from the future by 300.001 seconds');
});

it('signs the payload as a custom template says, the timestamp text as sent and the body bytes as received', () => {
  const timestamp = String(NOW_SECONDS);
  // Bytes that are not UTF-8: decoding the body to text and back would change them.
  const body = Buffer.concat([BODY, Buffer.from([0xff, 0xfe, 0x00])]);
  const payload = Buffer.concat([Buffer.from(`v0:${timestamp}:`), body]);
  const request = { body, headers: { 'x-signature': sign(payload), 'x-timestamp': timestamp }, query: {} };
  expect(() => verify(request, { signedPayload: 'v0:{timestamp}:{body}' })).not.toThrow();
  expect(refusal(request)).toBeInstanceOf(InvalidSignatureError);
  const slack = Buffer.concat([Buffer.from(`v0:${timestamp}:`), BODY]);
  expect(refusal({ ...request, body: BODY, headers: { ...request.headers, 'x-signature': sign(slack) } }, { signedPayload: 'v0:{timestamp}:{body}' })).toBeUndefined();
});

it('reads the clock for each delivery', () => {
  let now = NOW;
  const credential = timestampedSignature(SCHEME, TIMESTAMP, () => now);
  const request = delivery(String(NOW_SECONDS));
  expect(() => credential.verify(request, [SECRET])).not.toThrow();
  now += 301_000;
  expect(() => credential.verify(request, [SECRET])).toThrow(/stale by 301 seconds/);
});
