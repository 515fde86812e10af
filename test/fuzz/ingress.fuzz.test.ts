import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { type IngressDependencies, SQS_MAX_MESSAGE_BYTES, acceptWebhook } from '../../lambda/ingress/acceptWebhook';
import type { DeliveryQueue } from '../../lambda/ingress/DeliveryQueue';
import { eventKindOf, messageAttributes, messageText, parseRelayMessage, sqsMessageBytes } from '../../lambda/events/RelayMessage';
import type { SecretStore } from '../../lambda/secrets/SecretStore';
import { apiGatewayEvent } from '../support/apiGatewayEvent';
import { queuedEvents } from '../support/queuedMessage';
import { RecordingQueue, fakeIngressDependencies } from '../support/fakeIngressDependencies';
import { InMemorySecretStore } from '../support/InMemorySecretStore';
import { fixture, fixtureJson } from '../support/webhookFixtures';
import { SECRET_TEXTS, leafStrings, secretValues, sources } from './exampleConfig';
import { type FuzzDelivery, hostileDeliveries, receivedBytes } from './hostileDeliveries';
import { credentialModel } from './sourceCredentials';

// Property-based fuzzing of ingress (`npm run fuzz` for the long run; a short one runs in `npm test`).
// FUZZ_RUNS sets the cases per property, FUZZ_SEED replays a run: the seed is printed at the end.
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED);
// Generous enough for a slow machine at any FUZZ_RUNS; the largest cases take a few milliseconds each.
const TIMEOUT_MS = 60_000 + RUNS * 100;

// Below the default, with no store for large bodies: the bodies around it meet SQS's 1 MiB, where
// a message's size decides between 202 and 413 (the store's path is tested in test/unit/ingress).
const MAX_BODY_BYTES = 737_280;

const deliveries = hostileDeliveries({ sources, secrets: secretValues, maxBodyBytes: MAX_BODY_BYTES });

const REFUSALS: Record<number, string[]> = {
  400: ['malformed_body', 'unknown_event'],
  401: ['missing_signature', 'invalid_signature'],
  404: ['unknown_source'],
  405: ['method_not_allowed'],
  413: ['body_too_large'],
  503: ['secrets_unavailable', 'queue_unavailable'],
};

interface Outcome {
  status: number;
  body: Record<string, unknown>;
  /** Each message sent, and the body it was sent as. */
  sent: RecordingQueue['sent'];
}

let ran = 0;
const properties = new Set<string>();
const answered = new Map<number, number>();

afterAll(() => {
  const answers = [...answered].sort(([a], [b]) => a - b).map(([status, count]) => `${status}:${count}`).join(',');
  process.stdout.write(`FUZZ ran=${ran} properties=${properties.size} seed=${SEED} runs=${RUNS} answers=${answers}\n`);
});

/** Runs one property with the shared seed and counts every case it tries. */
async function holds<T>(name: string, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>): Promise<void> {
  properties.add(name);
  await fc.assert(
    // Shrinking a failure explores every smaller delivery; capped, it ends in seconds, not minutes.
    fc.asyncProperty(fc.limitShrink(arbitrary, 100), async (value) => {
      ran += 1;
      await predicate(value);
    }),
    { numRuns: RUNS, seed: SEED },
  );
}

/** The example config's sources and secrets; the queue records what it is sent, so no SQS is needed. */
function dependencies(overrides: Partial<IngressDependencies>): IngressDependencies {
  return fakeIngressDependencies({ sources, secrets: new InMemorySecretStore(secretValues), maxBodyBytes: MAX_BODY_BYTES, ...overrides });
}

/** Ingress's answer to `delivery`, checked for what every answer must be, and what it enqueued. */
async function ingress(delivery: FuzzDelivery, overrides: Partial<IngressDependencies> = {}): Promise<Outcome> {
  const queue = new RecordingQueue();
  const answer = await acceptWebhook(delivery.event, dependencies({ queue, ...overrides }));
  answered.set(answer.statusCode, (answered.get(answer.statusCode) ?? 0) + 1);
  return { status: answer.statusCode, body: wellFormed(answer, delivery), sent: queue.sent };
}

/** A JSON body; `{"error", "message"}` and nothing else when refused; no secret and no credential echoed. */
function wellFormed(answer: APIGatewayProxyResult, delivery: FuzzDelivery): Record<string, unknown> {
  expect(answer.headers?.['Content-Type']).toBe('application/json');
  const body = JSON.parse(answer.body) as unknown;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`the answer's body is not a JSON object: ${answer.body}`);
  const fields = body as Record<string, unknown>;
  if (answer.statusCode < 200 || answer.statusCode > 299) {
    if (!Object.hasOwn(REFUSALS, answer.statusCode)) throw new Error(`ingress answered ${answer.statusCode}: ${answer.body}`);
    expect(Object.keys(fields).sort()).toEqual(['error', 'message']);
    expect(typeof fields.error).toBe('string');
    expect(typeof fields.message).toBe('string');
    expect(REFUSALS[answer.statusCode]).toContain(fields.error);
  }
  const texts = [answer.body, ...leafStrings(fields)];
  for (const secret of SECRET_TEXTS) {
    if (texts.some((text) => text.includes(secret))) throw new Error(`the answer holds a secret: ${answer.body}`);
  }
  // Short garbage may occur in a message by chance; a real signature or token may not.
  for (const credential of delivery.credentials.filter((value) => value.length >= 16)) {
    if (answer.body.includes(credential)) throw new Error(`the answer echoes a credential: ${answer.body}`);
  }
  return fields;
}

/** A 202 put exactly one message, of this delivery, on the queue; any other answer put none. */
function queuedOnlyIfAccepted(outcome: Outcome, delivery: FuzzDelivery): void {
  if (outcome.status !== 202) {
    expect(outcome.sent).toHaveLength(0);
    return;
  }
  expect(outcome.sent).toHaveLength(1);
  const [{ message, body }] = outcome.sent as [RecordingQueue['sent'][number]];
  expect(typeof outcome.body.deliveryId).toBe('string');
  expect(message.deliveryId).toBe(outcome.body.deliveryId);
  expect(message.source).toBe(delivery.source);
  expect(message.provider).toBe(sources[delivery.source]?.provider);
  // The relay reads the events from the queued body: the delivery must still read, as the same kinds.
  const events = queuedEvents(message, sources);
  expect(events.length).toBeGreaterThan(0);
  expect(message.eventKind).toBe(eventKindOf(events));
  // One event keeps the delivery's id; several are told apart as <id>#1, <id>#2, …
  const several = events.length > 1;
  events.forEach((event, index) => expect(event.deliveryId).toBe(several ? `${message.deliveryId}#${index + 1}` : message.deliveryId));
  expect(sqsMessageBytes(Buffer.byteLength(body), messageAttributes(message))).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
  // The body is spliced into the JSON, not escaped by JSON.stringify: what the relay reads back must be the message.
  expect(parseRelayMessage(body)).toEqual(message);
  // The delivery's body travels base64-encoded: it is searched as the relay reads it.
  const texts = [body, messageText(message), JSON.stringify(events)];
  for (const secret of SECRET_TEXTS) {
    if (texts.some((text) => text.includes(secret))) throw new Error(`the queued message holds a secret (${message.deliveryId})`);
  }
}

function routesTo(delivery: FuzzDelivery): string | undefined {
  const name = delivery.event.pathParameters?.source;
  return name !== undefined && Object.hasOwn(sources, name) ? name : undefined;
}

/**
 * How a dependency fails: an SDK-style error rejected or thrown at once, whose message holds the
 * secrets (an answer must not pass it on). Always an Error, as the SDKs and Powertools throw; a
 * rejection with null or undefined is a known failure (below).
 */
const failure: fc.Arbitrary<(message: string) => Promise<never>> = fc.constantFrom(
  (message: string) => Promise.reject(new Error(message)),
  (message: string) => Promise.reject(Object.assign(new Error(message), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })),
  (message: string) => Promise.reject(new TypeError(message)),
  (message: string): Promise<never> => {
    throw new Error(message);
  },
);

describe('ingress under hostile input (fast-check)', () => {
  it(
    'refuses every delivery without a valid credential, and enqueues nothing',
    () =>
      holds('unauthenticated', deliveries.unauthenticated, async (delivery) => {
        const outcome = await ingress(delivery);
        const expected = delivery.event.httpMethod !== 'POST' ? 405 : routesTo(delivery) === undefined ? 404 : 401;
        expect(outcome.status).toBe(expected);
        expect(outcome.sent).toHaveLength(0);
      }),
    TIMEOUT_MS,
  );

  it(
    'answers a validly authenticated delivery 202 only with its one message on the queue; never 401 or 5xx',
    () =>
      holds('authenticated', deliveries.authenticated, async (delivery) => {
        const outcome = await ingress(delivery);
        expect([200, 202, 400]).toContain(outcome.status);
        if (outcome.status === 200) expect(outcome.body).toEqual({ deliveryId: expect.any(String), ping: true });
        if (outcome.status === 202) expect(Object.keys(outcome.body)).toEqual(['deliveryId']);
        queuedOnlyIfAccepted(outcome, delivery);
      }),
    TIMEOUT_MS,
  );

  it(
    'refuses a body over the limit with 413, and keeps every queued message within SQS’s 1 MiB',
    () =>
      holds('sized', deliveries.sized, async (delivery) => {
        const outcome = await ingress(delivery);
        const bytes = receivedBytes(delivery.event).length;
        if (bytes > MAX_BODY_BYTES) expect(outcome.status).toBe(413);
        else expect([200, 202, 400, 401, 413]).toContain(outcome.status);
        queuedOnlyIfAccepted(outcome, delivery);
        if (outcome.status === 413 && bytes <= MAX_BODY_BYTES) {
          // Within the limit only the queued message's size may refuse a body: lifting the limit must change nothing.
          expect((await ingress(delivery, { maxBodyBytes: Number.POSITIVE_INFINITY })).status).toBe(413);
        }
      }),
    TIMEOUT_MS,
  );

  it(
    'survives JSON nested up to 100,000 levels deep',
    () =>
      holds('nested', deliveries.nested, async (delivery) => {
        const outcome = await ingress(delivery);
        expect([200, 202, 400, 413]).toContain(outcome.status);
        queuedOnlyIfAccepted(outcome, delivery);
      }),
    TIMEOUT_MS,
  );

  it(
    'answers exactly 503 queue_unavailable when the queue fails, and as usual otherwise',
    () =>
      holds('queue fails', fc.tuple(deliveries.any, failure), async ([delivery, fault]) => {
        const usual = await ingress(delivery);
        let calls = 0;
        const broken: DeliveryQueue = {
          send: (message) => {
            calls += 1;
            return fault(`cannot send ${message.deliveryId} with ${SECRET_TEXTS.join(', ')}`);
          },
        };
        const outcome = await ingress(delivery, { queue: broken });
        if (usual.status === 202) {
          expect(outcome.status).toBe(503);
          expect(outcome.body.error).toBe('queue_unavailable');
          expect(calls).toBe(1);
        } else {
          expect({ status: outcome.status, body: outcome.body }).toEqual({ status: usual.status, body: usual.body });
          expect(calls).toBe(0);
        }
      }),
    TIMEOUT_MS,
  );

  it(
    'answers exactly 503 secrets_unavailable when a secret of the source cannot be read, and as usual otherwise',
    () =>
      holds(
        'secrets fail',
        fc.tuple(deliveries.any, fc.subarray(Object.keys(secretValues), { minLength: 1 }), failure),
        async ([delivery, unreadable, fault]) => {
          const usual = await ingress(delivery);
          const readable = new InMemorySecretStore(secretValues);
          const store: SecretStore = {
            get: (name) => (unreadable.includes(name) ? fault(`cannot read ${name}: ${SECRET_TEXTS.join(', ')}`) : readable.get(name)),
          };
          const outcome = await ingress(delivery, { secrets: store });
          const source = routesTo(delivery);
          const reads =
            delivery.event.httpMethod === 'POST' && source !== undefined && receivedBytes(delivery.event).length <= MAX_BODY_BYTES && (sources[source]?.secrets ?? []).some((name) => unreadable.includes(name));
          if (reads) {
            expect(outcome.status).toBe(503);
            expect(outcome.body.error).toBe('secrets_unavailable');
            expect(outcome.sent).toHaveLength(0);
          } else {
            expect({ status: outcome.status, body: outcome.body, sent: outcome.sent.length }).toEqual({ status: usual.status, body: usual.body, sent: usual.sent.length });
          }
        },
      ),
    TIMEOUT_MS,
  );
});

/**
 * Found by this fuzzer (docs/reliability.md, "Found"): genuine deliveries that ingress once answered 500
 * internal_error, which the sender retries for ever. Fixed; kept so they stay fixed.
 */
describe('what the fuzzer found', () => {
  // A field (by path) set to a value; `undefined` removes it.
  type Change = [path: string[], value: unknown];
  const cases: [source: string, what: string, fixture: string, changes: Change[]][] = [
    ['harbor', 'occur_at seconds beyond the range of a Date', 'harbor/PUSH_ARTIFACT', [[['occur_at'], 1e13]]],
    ['dockerhub', 'push_data.pushed_at seconds beyond the range of a Date', 'dockerhub/push', [[['push_data', 'pushed_at'], 1e13]]],
    [
      'github',
      'no head_commit and repository.pushed_at seconds beyond the range of a Date',
      'github/push.tag',
      [
        [['head_commit'], null],
        [['repository', 'pushed_at'], 1e13],
      ],
    ],
    ['dockerhub', 'a repository.repo_url of opaque origin (foo://…)', 'dockerhub/push', [[['repository', 'repo_url'], 'foo://registry.example/acme/app']]],
    ['jfrog-artifactory', 'a jpd_origin of opaque origin (foo://…)', 'jfrog-artifactory/docker.pushed', [[['jpd_origin'], 'foo://example.jfrog.io']]],
    [
      'github',
      'a package.registry.url that is not a URL and no package_url',
      'github/package.published',
      [
        [['package', 'package_version', 'package_url'], undefined],
        [['package', 'registry', 'url'], 'not a url'],
      ],
    ],
  ];

  it.each(cases)('queues the %s delivery that the case below changes', async (source, _what, name) => {
    expect((await acceptWebhook(genuine(source, name, fixture(name).body), dependencies({}))).statusCode).toBe(202);
  });

  it.each(cases)('answers a %s delivery with %s without a 500', async (source, _what, name, changes) => {
    expect((await acceptWebhook(genuine(source, name, changed(name, changes)), dependencies({}))).statusCode).toBeLessThan(500);
  });

  // Both catch blocks read `.message` or `.name` of what a dependency rejects with: null and undefined make that throw.
  it.each([null, undefined])('answers 503 queue_unavailable when the queue rejects with %p', async (reason) => {
    const pushTag = genuine('github', 'github/push.tag', fixture('github/push.tag').body);
    const answer = await acceptWebhook(pushTag, dependencies({ queue: { send: () => Promise.reject(reason) } }));
    expect({ status: answer.statusCode, error: JSON.parse(answer.body).error }).toEqual({ status: 503, error: 'queue_unavailable' });
  });

  it.each([null, undefined])('answers 503 secrets_unavailable when the secret store rejects with %p', async (reason) => {
    const pushTag = genuine('github', 'github/push.tag', fixture('github/push.tag').body);
    const answer = await acceptWebhook(pushTag, dependencies({ secrets: { get: () => Promise.reject(reason) } }));
    expect({ status: answer.statusCode, error: JSON.parse(answer.body).error }).toEqual({ status: 503, error: 'secrets_unavailable' });
  });

  function changed(name: string, changes: Change[]): Buffer {
    const body = fixtureJson(name);
    for (const [path, value] of changes) {
      const parent = path.slice(0, -1).reduce((node, step) => node[step] as Record<string, unknown>, body);
      const field = path[path.length - 1] ?? '';
      if (value === undefined) delete parent[field];
      else parent[field] = value;
    }
    return Buffer.from(JSON.stringify(body));
  }

  /** `body` sent as the fixture was, with the source's first credential made for exactly these bytes. */
  function genuine(source: string, name: string, body: Buffer): APIGatewayProxyEvent {
    const definition = sources[source];
    const grant = definition && credentialModel(definition).grants[0];
    if (!definition || !grant) throw new Error(`no source ${source} with a credential`);
    const credential = grant.issue(body, secretValues[definition.secrets[0] ?? ''] ?? '');
    return apiGatewayEvent({ source, body, headers: { ...fixture(name).headers, ...credential.headers }, query: credential.query });
  }
});
