import { createHmac } from 'node:crypto';
import { ConfigError, formatProblem } from '../../../../lambda/config/ConfigError';
import { parseConfig } from '../../../../lambda/config/loadConfig';
import { EVENT_KINDS } from '../../../../lambda/events/CanonicalEvent';
import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { generic } from '../../../../lambda/providers/adapters/generic';
import { InvalidSignatureError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, signed, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
/** Nexus signs like this; as a generic source it is described by options alone. */
const NEXUS_SIGNATURE = { header: 'X-Nexus-Webhook-Signature', algorithm: 'sha1' };
const GITLAB_TOKEN = { header: 'X-Gitlab-Token' };

function receive(request: WebhookRequest, options: Record<string, unknown>) {
  const { events } = receiveWebhook({ name: 'generic-acme', provider: 'generic', secrets: [TEST_SECRET], options }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describeCommonCases('generic');

describe('generic: signature schemes', () => {
  const body = fixture('nexus/repository.asset.created').body;

  it.each([
    [{ header: 'x-signature', algorithm: 'sha256', prefix: 'sha256=', encoding: 'base64' as const }],
    [{ header: 'x-signature', algorithm: 'sha512', encoding: 'hex' as const }],
    [{ header: 'x-signature' }],
  ])('accepts %j', (scheme) => {
    const request = signed(fixture('nexus/repository.asset.created'), body, TEST_SECRET, { algorithm: 'sha256', ...scheme });
    expect(receive(request, { signature: scheme }).event).toBe('webhook');
  });

  it('refuses a hex signature where base64 is configured', () => {
    const scheme = { header: 'x-signature', algorithm: 'sha256' };
    const request = signed(fixture('nexus/repository.asset.created'), body, TEST_SECRET, scheme);
    expect(() => receive(request, { signature: { ...scheme, encoding: 'base64' } })).toThrow(InvalidSignatureError);
  });
});

describe('generic: timestamped signatures', () => {
  // A sender that signs as Slack does, configured as a user would write it.
  const CONFIG = `codestream:
  url: https://vra.example.com
  auth: refreshToken
  secret: codestream/relay
sources:
  chat-ops:
    provider: generic
    secrets: [webhooks/chat-ops]
    options:
      signature:
        header: X-Slack-Signature
        prefix: "v0="
        timestamp:
          header: X-Slack-Request-Timestamp
          toleranceSeconds: 120
          signedPayload: "v0:{timestamp}:{body}"
      event: type
rules: []
`;
  const NOW = RECEIVED_AT.getTime();
  const body = Buffer.from('{"type":"build.finished","id":"b-42"}');

  function options(text = CONFIG): Record<string, unknown> {
    return parseConfig(text, 'relay.config.yaml').config.sources['chat-ops']!.options!;
  }

  function delivery(timestamp: string, secret = TEST_SECRET): WebhookRequest {
    const digest = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex');
    return { body, headers: { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': timestamp }, query: {} };
  }

  let now: jest.SpiedFunction<typeof Date.now>;
  beforeEach(() => {
    now = jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => now.mockRestore());

  it('accepts a delivery signed within the tolerance', () => {
    expect(receive(delivery(String(NOW / 1000 - 120)), options())).toMatchObject({ event: 'build.finished', kind: 'other' });
  });

  it('refuses a replay beyond the tolerance, a missing timestamp and a tampered one', () => {
    expect(() => receive(delivery(String(NOW / 1000 - 121)), options())).toThrow(
      new InvalidSignatureError('the x-slack-signature signature is stale by 121 seconds (x-slack-request-timestamp; the tolerance is 120 seconds)'),
    );
    const signedNow = delivery(String(NOW / 1000));
    expect(() => receive(withHeaders(signedNow, { 'x-slack-request-timestamp': undefined }), options())).toThrow(
      new MissingSignatureError('the x-slack-request-timestamp timestamp header is missing: the signature cannot be checked'),
    );
    expect(() => receive(withHeaders(signedNow, { 'x-slack-request-timestamp': String(NOW / 1000 + 1) }), options())).toThrow(InvalidSignatureError);
    expect(() => receive(withHeaders(signedNow, { 'x-slack-signature': undefined }), options())).toThrow(
      new MissingSignatureError('the x-slack-signature header is missing: the delivery is not signed'),
    );
  });

  it('redacts the signature header, not the timestamp header', () => {
    expect(generic.credentialPlaces(options())).toEqual({ headers: ['x-slack-signature'], query: [], bodyFields: [] });
  });

  it('uses the defaults: 300 seconds, Unix seconds, `{timestamp}.{body}`', () => {
    const stripeLike = { signature: { header: 'X-Signature', timestamp: { header: 'X-Timestamp' } } };
    const timestamp = String(NOW / 1000 + 300);
    const digest = createHmac('sha256', TEST_SECRET).update(`${timestamp}.`).update(body).digest('hex');
    const request = { body, headers: { 'x-signature': digest, 'x-timestamp': timestamp }, query: {} };
    expect(receive(request, stripeLike).event).toBe('webhook');
    now.mockReturnValue(NOW - 1);
    expect(() => receive(request, stripeLike)).toThrow(/from the future by 300.001 seconds/);
  });

  it.each([
    ['toleranceSeconds: 120', 'toleranceSeconds: 0', 'must be > 0'],
    ['toleranceSeconds: 120', 'format: seconds', 'is not one of unix, unix-ms, iso'],
    ['toleranceSeconds: 120', 'tolerance: 60', 'unknown'],
    ['signedPayload: "v0:{timestamp}:{body}"', 'signedPayload: "v0:{timestamp}"', 'signedPayload: "v0:{timestamp}" does not match \\{body\\}'],
  ])('its schema refuses %s replaced by %s', (line, replacement, message) => {
    const text = CONFIG.replace(line, replacement);
    let problems: string[] = [];
    try {
      parseConfig(text, 'relay.config.yaml');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map(formatProblem);
    }
    expect(problems.join('\n')).toContain(message);
  });
});

describe('generic: token places', () => {
  const noHeader = withHeaders(fixture('gitlab/push'), { 'x-gitlab-token': undefined });

  it('takes the token from the configured query parameter', () => {
    expect(receive({ ...noHeader, query: { key: TEST_SECRET } }, { token: { query: 'key' } }).event).toBe('webhook');
    expect(() => receive({ ...noHeader, query: { key: 'forged' } }, { token: { query: 'key' } })).toThrow(
      new InvalidSignatureError('the "key" query parameter matches none of the source\'s secrets'),
    );
  });

  it('with a header and a query parameter configured, falls back to the query and names both when neither is sent', () => {
    const options = { token: { ...GITLAB_TOKEN, query: 'key' } };
    expect(receive({ ...noHeader, query: { key: TEST_SECRET } }, options).event).toBe('webhook');
    expect(() => receive(noHeader, options)).toThrow(
      new MissingSignatureError('no token: the x-gitlab-token header or the "key" query parameter is missing'),
    );
  });
});

describe('generic: misconfigured sources refuse every delivery', () => {
  it.each([
    [{}, 'neither options.signature nor options.token is set'],
    [{ signature: { algorithm: 'sha1' } }, 'options.signature.header is not set'],
    [{ signature: { header: 'x-signature', algorithm: 'md5' } }, 'options.signature.algorithm is not sha1, sha256 or sha512'],
    [{ signature: { header: 'x-signature', encoding: 'latin1' } }, 'options.signature.encoding is not hex or base64'],
    [{ token: {} }, 'options.token names neither a header nor a query parameter'],
    [{ signature: { header: 'x-signature', timestamp: {} } }, 'options.signature.timestamp.header is not set'],
    [{ signature: { header: 'x-signature', timestamp: { header: 'x-t', toleranceSeconds: -1 } } }, 'options.signature.timestamp.toleranceSeconds is not a positive number'],
    [{ signature: { header: 'x-signature', timestamp: { header: 'x-t', format: 'rfc2822' } } }, 'options.signature.timestamp.format is not unix, unix-ms or iso'],
    [
      { signature: { header: 'x-signature', timestamp: { header: 'x-t', signedPayload: '{body}' } } },
      'options.signature.timestamp.signedPayload does not contain both {timestamp} and {body}',
    ],
  ])('%j', (options, reason) => {
    expect(() => receive(fixture('gitlab/push'), options)).toThrow(
      new MissingSignatureError(`the generic source is misconfigured, ${reason}: no delivery can be authenticated`),
    );
  });
});

describe('generic: normalising', () => {
  it('nexus as a generic HMAC source: event and delivery id from headers, kind from the mapping', () => {
    const event = receive(fixture('nexus/repository.asset.created'), {
      signature: NEXUS_SIGNATURE,
      event: 'header:X-Nexus-Webhook-Id',
      deliveryId: 'header:X-Nexus-Webhook-Delivery',
      kinds: { 'rm:repository:asset': 'artifact_push', 'rm:repository:component': 'artifact_push' },
    });
    expect(event).toEqual({
      source: 'generic-acme',
      provider: 'generic',
      kind: 'artifact_push',
      event: 'rm:repository:asset',
      deliveryId: '4cfe1766-6d68-44c4-a056-fb6883859f84',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2026-11-28T12:00:00.000Z',
    });
    // No Git or artifact details: rules read the raw body, and there are no native-trigger inputs.
    expect(nativeTriggerInput(event)).toEqual({});
  });

  it('gitlab as a generic token source: event and delivery id from body paths', () => {
    const event = receive(fixture('gitlab/push'), {
      token: GITLAB_TOKEN,
      event: 'object_kind',
      deliveryId: 'after',
      kinds: { push: 'push', tag_push: 'tag' },
    });
    expect(event).toMatchObject({ kind: 'push', event: 'push', deliveryId: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' });
  });

  it('follows a nested body path', () => {
    const event = receive(fixture('nexus/repository.asset.created'), { signature: NEXUS_SIGNATURE, event: 'asset.format' });
    expect(event).toMatchObject({ kind: 'other', event: 'npm' });
  });

  it('without an event option names every event webhook, of the default kind, with the body hash as delivery id', () => {
    const event = receive(fixture('gitlab/push'), { token: GITLAB_TOKEN, defaultKind: 'push' });
    expect(event).toMatchObject({
      kind: 'push',
      event: 'webhook',
      deliveryId: 'sha256:aee5e0eac8a4692fa54dbb83c120595da4996be4c3c287ce855754384433aac0',
    });
  });

  it('an event name the mapping does not list is of the default kind, other unless configured', () => {
    const options = { token: GITLAB_TOKEN, event: 'header:X-Gitlab-Event', kinds: { 'Tag Push Hook': 'tag' } };
    expect(receive(fixture('gitlab/push'), options)).toMatchObject({ kind: 'other', event: 'Push Hook' });
    expect(receive(fixture('gitlab/push'), { ...options, defaultKind: 'ping' }).kind).toBe('ping');
  });

  it('maps only the names the mapping lists itself, and ignores kinds that are not canonical', () => {
    const options = { token: GITLAB_TOKEN, event: 'header:X-Gitlab-Event' };
    const constructor = withHeaders(fixture('gitlab/push'), { 'x-gitlab-event': 'constructor' });
    expect(receive(constructor, { ...options, kinds: {} }).kind).toBe('other');
    expect(receive(fixture('gitlab/push'), { ...options, kinds: { 'Push Hook': 'deploy' }, defaultKind: 'nonsense' }).kind).toBe('other');
  });

  it('falls back to the body hash when the configured delivery id is absent', () => {
    const event = receive(fixture('gitlab/push'), { token: GITLAB_TOKEN, deliveryId: 'header:X-Request-Id' });
    expect(event.deliveryId).toBe('sha256:aee5e0eac8a4692fa54dbb83c120595da4996be4c3c287ce855754384433aac0');
  });

  it('its options schema requires exactly one of signature and token, and lists the canonical kinds', () => {
    expect(generic.optionsSchema).toMatchObject({
      additionalProperties: false,
      oneOf: [{ required: ['signature'] }, { required: ['token'] }],
      properties: {
        signature: {
          additionalProperties: false,
          required: ['header'],
          properties: { timestamp: { additionalProperties: false, required: ['header'], properties: { format: { enum: ['unix', 'unix-ms', 'iso'] } } } },
        },
        token: { additionalProperties: false, anyOf: [{ required: ['header'] }, { required: ['query'] }] },
        kinds: { additionalProperties: { enum: [...EVENT_KINDS] } },
        defaultKind: { enum: [...EVENT_KINDS], default: 'other' },
      },
    });
  });
});

describe('generic: bad input', () => {
  it.each([
    ['header:X-Event', 'the delivery has no event name at header:X-Event'],
    ['meta.type', 'the delivery has no event name at meta.type'],
  ])('refuses a delivery without the configured event name %s', (place, message) => {
    const request = fixture('gitlab/push');
    expect(() => receive(request, { token: GITLAB_TOKEN, event: place })).toThrow(new UnknownEventError(message));
  });
});
