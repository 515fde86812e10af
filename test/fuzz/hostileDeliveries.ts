import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as fc from 'fast-check';
import type { ProviderName } from '../../lambda/events/CanonicalEvent';
import type { SourceDefinition } from '../../lambda/config/RelayConfig';
import { fixture, fixtureNames } from '../support/webhookFixtures';
import { type CredentialModel, type CredentialPlaces, basicCredentials, credentialModel } from './sourceCredentials';

/** What the deliveries are aimed at: the config's sources, the secrets they name, the body limit. */
export interface FuzzTarget {
  sources: Readonly<Record<string, SourceDefinition>>;
  /** Secret name → value, as the SecretStore serves them. */
  secrets: Readonly<Record<string, string>>;
  maxBodyBytes: number;
}

/** A generated delivery, and what the test knows about it that ingress does not. */
export interface FuzzDelivery {
  event: APIGatewayProxyEvent;
  /** The configured source it was built for; the path may name another. */
  source: string;
  /** Every credential value it carries, valid or not: no answer may echo one. */
  credentials: string[];
}

/** A real delivery to start from: its body and headers. */
interface Base {
  body: Buffer;
  headers: [string, string][];
}

type Header = [string, string | undefined];

interface Wire {
  body: string | null;
  isBase64Encoded: boolean;
}

/** A delivery before its credential: everything an attacker controls but the authentication. */
interface Draft {
  base: Base;
  wire: Wire;
  headers: Header[];
  query: Header[] | null;
}

/** What an unauthenticated delivery carries where the credential belongs. */
type Forgery =
  | { kind: 'absent' }
  | { kind: 'garbage'; headers: [string, string][]; query: [string, string][] }
  | { kind: 'wrongSecret'; grant: number; secret: string }
  | { kind: 'wrongUser'; user: string }
  | { kind: 'stale'; grant: number }
  | { kind: 'reshaped'; grant: number; cut: number; suffix: string };

// The example config's generic source (ci-notifier) has no delivery in the corpus: this is what it expects.
export const SYNTHETIC_BASES: Partial<Record<ProviderName, Base[]>> = {
  generic: [{ body: Buffer.from('{"id":"build-42","status":"success","artifact":"acme/app:1.2.3"}'), headers: [['Content-Type', 'application/json'], ['X-Event', 'build.finished']] }],
};

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/cloudevents+json',
  'application/x-www-form-urlencoded',
  'APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=fuzz',
  'application/octet-stream',
  '',
];

const METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'post', 'Post', ''];

// Names that live on every object's prototype: a lookup by name must not find them.
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype'];

const HEX = fc.constantFrom(...'0123456789abcdefABCDEF');

/** Text meant to break parsers and lookups: any code point, lone surrogates, CR/LF, NUL, long runs. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 64 }) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '\r\n', '\u0000', '\ud800', '\udfff', '\u2028', '\ufeff', '😀😀😀', ...PROTOTYPE_NAMES) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('\r', '\n', ':', ' ', '\t', '=', ';', 'a', '\u0085'), maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1024, maxLength: 8192 }) },
);

/** Credential-shaped garbage: signatures of the wrong length or alphabet, bogus Basic and Bearer values. */
const garbageCredential: fc.Arbitrary<string> = fc.oneof(
  hostileText,
  fc.string({ unit: HEX, maxLength: 160 }).map((hex) => `sha256=${hex}`),
  fc.string({ unit: HEX, maxLength: 160 }).map((hex) => `sha1=${hex}`),
  fc.string({ unit: HEX, minLength: 40, maxLength: 64 }),
  hostileText.map((text) => `sha256=${text}`),
  hostileText.map((text) => `Basic ${Buffer.from(text).toString('base64')}`),
  hostileText.map((text) => `Basic ${text}`),
  hostileText.map((text) => `Bearer ${text}`),
);

/**
 * Hostile deliveries for every source of `target`: real deliveries of the source's provider (and
 * of others), mutated or replaced by random bytes and JSON; headers from the corpus and random
 * ones, with CR/LF and any unicode; wrong content types; base64 or not; and, depending on the
 * arbitrary, a valid credential or one of many invalid ones.
 */
export function hostileDeliveries(target: FuzzTarget) {
  const names = Object.keys(target.sources);
  const models = new Map<string, CredentialModel>();
  const modelOf = (name: string): CredentialModel => {
    let model = models.get(name);
    if (!model) models.set(name, (model = credentialModel(definition(name))));
    return model;
  };
  const secretsOf = (name: string): string[] => definition(name).secrets.map((secret) => target.secrets[secret] ?? '');
  const credentialHeaders = new Set(names.flatMap((name) => modelOf(name).headers));

  const corpus = fixtureNames().map((name) => {
    const { body, headers } = fixture(name);
    return { provider: name.split('/')[0] as ProviderName, base: { body, headers: Object.entries(headers) } };
  });
  const basesOf = (provider: ProviderName): Base[] => [
    ...corpus.filter((entry) => entry.provider === provider).map((entry) => entry.base),
    ...(SYNTHETIC_BASES[provider] ?? []),
  ];
  const everyBase = [...corpus.map((entry) => entry.base), ...Object.values(SYNTHETIC_BASES).flat()];

  // Header names and values of the corpus, never a credential: a random header must not authenticate by accident.
  const corpusHeaders = everyBase.flatMap((base) => base.headers).filter(([name]) => !credentialHeaders.has(name.toLowerCase()));
  const headerName = fc.oneof(
    { weight: 3, arbitrary: fc.mixedCase(fc.constantFrom(...new Set(corpusHeaders.map(([name]) => name.toLowerCase())))) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
    { weight: 2, arbitrary: hostileText },
  );
  const corpusValue = fc.constantFrom(...new Set(corpusHeaders.map(([, value]) => value)));
  const headerValue = fc.oneof(
    { weight: 3, arbitrary: corpusValue },
    { weight: 2, arbitrary: hostileText },
    // Header injection: a value that smuggles a second header line.
    { weight: 1, arbitrary: fc.tuple(corpusValue, headerName, hostileText).map(([value, name, text]) => `${value}\r\n${name}: ${text}`) },
  );
  const extraHeaders = fc.array(fc.tuple(headerName, fc.option(headerValue, { nil: undefined, freq: 8 })), { maxLength: 10 });
  const queryEntries = fc.array(
    fc.tuple(fc.oneof(fc.constantFrom('token', 'key', 'ref', ...PROTOTYPE_NAMES), hostileText), fc.option(hostileText, { nil: undefined, freq: 8 })),
    { maxLength: 4 },
  );
  // Mostly the delivery's own Content-Type; otherwise a wrong, odd or hostile one.
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.mixedCase(fc.constantFrom(...CONTENT_TYPES)) },
    { weight: 1, arbitrary: hostileText },
  );

  // One branch per source and per base, never fc.chain: then a failure shrinks within its own source and delivery.
  const perSource = (build: (name: string) => fc.Arbitrary<FuzzDelivery>) => fc.oneof(...names.map(build));
  const ownBase = (name: string): fc.Arbitrary<Base> => fc.constantFrom(...basesOf(definition(name).provider));

  const draftFor = (base: Base): fc.Arbitrary<Draft> =>
    fc
      .record({
        bytes: bodyOf(base),
        form: sometimes(5),
        bom: sometimes(8),
        contentType,
        headers: extraHeaders,
        query: fc.option(queryEntries, { nil: null, freq: 4 }),
        wire: wireMode,
      })
      .map(({ bytes, form, bom, contentType: type, headers, query, wire }) => {
        const text = `${bom ? '\ufeff' : ''}${bytes.toString('utf8')}`;
        // GitHub's form-encoded deliveries carry the JSON in `payload`; anything else is read as JSON.
        const body = form ? Buffer.from(`payload=${encodeURIComponent(text)}`) : Buffer.from(text);
        const typeHeaders: Header[] = form ? [['Content-Type', 'application/x-www-form-urlencoded']] : type === undefined ? [] : [['Content-Type', type]];
        return { base, wire: wired(body, wire), headers: [...base.headers, ...headers, ...typeHeaders], query };
      });
  // Each base's arbitrary is built once: its JSON mutations parse the delivery.
  const drafts = new Map<Base, fc.Arbitrary<Draft>>();
  const draftOf = (base: Base): fc.Arbitrary<Draft> => {
    let arbitrary = drafts.get(base);
    if (!arbitrary) drafts.set(base, (arbitrary = draftFor(base)));
    return arbitrary;
  };
  const draftsOf = (bases: Base[]) => fc.oneof(...bases.map(draftOf));
  const everyDraft = draftsOf(everyBase);
  // Mostly the source's own provider's deliveries; sometimes another provider's.
  const draft = (name: string): fc.Arbitrary<Draft> =>
    fc.oneof({ weight: 4, arbitrary: draftsOf(basesOf(definition(name).provider)) }, { weight: 1, arbitrary: everyDraft });

  const authenticated: fc.Arbitrary<FuzzDelivery> = perSource((name) =>
    fc
      .record({ draft: draft(name), grant: fc.nat(modelOf(name).grants.length - 1), secret: fc.constantFrom(...secretsOf(name)) })
      .map(({ draft: parts, grant, secret }) => {
        const received = receivedBytes(parts.wire);
        return assemble(name, 'POST', name, parts, grantOf(modelOf(name), grant).issue(received, secret));
      }),
  );

  const forgery = (name: string): fc.Arbitrary<Forgery> => {
    const model = modelOf(name);
    const secrets = secretsOf(name);
    const binding = model.grants.flatMap((grant, index) => (grant.bindsBody ? [index] : []));
    const none = fc.constant<[string, string][]>([]);
    const forgeries: fc.Arbitrary<Forgery>[] = [
      fc.constant({ kind: 'absent' }),
      fc.record({
        kind: fc.constant('garbage'),
        headers: model.headers.length > 0 ? fc.array(fc.tuple(fc.mixedCase(fc.constantFrom(...model.headers)), garbageCredential), { minLength: 1, maxLength: 3 }) : none,
        query: model.query.length > 0 ? fc.array(fc.tuple(fc.constantFrom(...model.query), garbageCredential), { maxLength: 2 }) : none,
      }),
      fc.record({ kind: fc.constant('wrongSecret'), grant: fc.nat(model.grants.length - 1), secret: wrongSecret(secrets) }),
    ];
    const { basicUser } = model;
    if (basicUser !== undefined) {
      // The right password under another user name.
      forgeries.push(fc.record({ kind: fc.constant('wrongUser'), user: fc.oneof(hostileText, fc.constant(basicUser.toUpperCase())).filter((user) => user !== basicUser) }));
    }
    if (binding.length > 0) {
      forgeries.push(
        fc.record({ kind: fc.constant('stale'), grant: fc.constantFrom(...binding) }),
        // Shortened, or lengthened by text that survives the trim the HMAC check applies: never the valid length.
        fc.record({ kind: fc.constant('reshaped'), grant: fc.constantFrom(...binding), cut: fc.integer({ min: 1, max: 80 }), suffix: fc.constant('') }),
        fc.record({
          kind: fc.constant('reshaped'),
          grant: fc.constantFrom(...binding),
          cut: fc.constant(0),
          suffix: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).filter((text) => text.trim() !== ''),
        }),
      );
    }
    return fc.oneof(...forgeries);
  };

  const path = (name: string) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<string | null>(name) },
      { weight: 1, arbitrary: fc.constant<string | null>(null) },
      { weight: 2, arbitrary: fc.oneof(hostileText, fc.constantFrom(...PROTOTYPE_NAMES, name.toUpperCase(), `${name} `, `hooks/${name}`)) },
    );
  const method = fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: hostileText });

  const unauthenticated: fc.Arbitrary<FuzzDelivery> = perSource((name) =>
    fc.record({ draft: draft(name), forgery: forgery(name), path: path(name), method }).map(({ draft: parts, forgery: forged, path: routed, method: verb }) => {
      const received = receivedBytes(parts.wire);
      return assemble(name, verb, routed, parts, forge(modelOf(name), forged, received, parts.base, secretsOf(name)[0] ?? ''));
    }),
  );

  /** Bodies around and above the limit: the corpus padded inside a JSON string, or raw filler. */
  const sized: fc.Arbitrary<FuzzDelivery> = perSource((name) =>
    fc
      .record({
        base: ownBase(name),
        // fast-check favours values near zero: many bodies fall within a few bytes of the limit.
        offset: fc.integer({ min: -128 * 1024, max: 128 * 1024 }),
        // Escapes and multi-byte characters grow when the body is put in the queued message's JSON.
        filler: fc.constantFrom('a', '\\"', '\\\\', '\\u0000', 'é', '😀', ' ', '\u2028'),
        raw: sometimes(4),
        base64: fc.boolean(),
        grant: fc.nat(modelOf(name).grants.length - 1),
        forged: sometimes(5),
      })
      .map(({ base, offset, filler, raw, base64, grant, forged }) => {
        const bytes = target.maxBodyBytes + offset;
        const body = raw ? Buffer.alloc(bytes, filler) : padded(base.body, bytes, filler);
        const wire = { body: body.toString(base64 ? 'base64' : 'utf8'), isBase64Encoded: base64 };
        const received = receivedBytes(wire);
        const secret = forged ? 'not the secret' : (secretsOf(name)[0] ?? '');
        return assemble(name, 'POST', name, { base, wire, headers: base.headers, query: null }, grantOf(modelOf(name), grant).issue(received, secret));
      }),
  );

  /** Validly authenticated deliveries holding JSON nested thousands of levels deep, at the root or in a field. */
  const nested: fc.Arbitrary<FuzzDelivery> = perSource((name) =>
    fc
      .record({
        base: ownBase(name),
        depth: fc.integer({ min: 1, max: 100_000 }),
        shape: fc.constantFrom('array', 'object', 'mixed'),
        at: fc.option(fc.nat(), { nil: undefined }),
        grant: fc.nat(modelOf(name).grants.length - 1),
        base64: fc.boolean(),
      })
      .map(({ base, depth, shape, at, grant, base64 }) => {
        const deep = nestedJson(depth, shape);
        const body = Buffer.from(at === undefined ? deep : withValueAt(base.body, at, deep));
        const wire = { body: body.toString(base64 ? 'base64' : 'utf8'), isBase64Encoded: base64 };
        const received = receivedBytes(wire);
        const credential = grantOf(modelOf(name), grant).issue(received, secretsOf(name)[0] ?? '');
        return assemble(name, 'POST', name, { base, wire, headers: base.headers, query: null }, credential);
      }),
  );

  return { authenticated, unauthenticated, sized, nested, any: fc.oneof(authenticated, unauthenticated) };

  function definition(name: string): SourceDefinition {
    const found = target.sources[name];
    if (!found) throw new Error(`no source ${name} in the fuzz target`);
    return found;
  }

  /** The event API Gateway would pass, with every credential place of the source replaced by `credential`. */
  function assemble(name: string, verb: string, routed: string | null, parts: Draft, credential: CredentialPlaces): FuzzDelivery {
    const model = modelOf(name);
    const headers = [
      ...parts.headers.filter(([header]) => !model.headers.includes(header.toLowerCase())),
      ...Object.entries(credential.headers),
    ];
    const query = [...(parts.query ?? []).filter(([parameter]) => !model.query.includes(parameter)), ...Object.entries(credential.query)];
    const event: APIGatewayProxyEvent = {
      httpMethod: verb,
      path: `/hooks/${routed ?? ''}`,
      resource: '/hooks/{source}',
      pathParameters: routed === null ? null : { source: routed },
      headers: Object.fromEntries(headers),
      multiValueHeaders: {},
      queryStringParameters: parts.query === null && query.length === 0 ? null : Object.fromEntries(query),
      multiValueQueryStringParameters: null,
      stageVariables: null,
      body: parts.wire.body,
      isBase64Encoded: parts.wire.isBase64Encoded,
      requestContext: {} as APIGatewayProxyEvent['requestContext'],
    };
    return { event, source: name, credentials: [...Object.values(credential.headers), ...Object.values(credential.query)] };
  }
}

/** True about once in `times`. */
function sometimes(times: number): fc.Arbitrary<boolean> {
  return fc.oneof({ weight: times - 1, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
}

/** The bytes ingress reads: the body after API Gateway's base64 decoding, which signatures cover. */
export function receivedBytes(event: Wire): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}

function grantOf(model: CredentialModel, index: number) {
  const grant = model.grants[index];
  if (!grant) throw new Error(`no grant ${index}`);
  return grant;
}

function forge(model: CredentialModel, forgery: Forgery, received: Buffer, base: Base, secret: string): CredentialPlaces {
  switch (forgery.kind) {
    case 'absent':
      return { headers: {}, query: {} };
    case 'garbage':
      return { headers: Object.fromEntries(forgery.headers), query: Object.fromEntries(forgery.query) };
    case 'wrongSecret':
      return grantOf(model, forgery.grant).issue(received, forgery.secret);
    case 'wrongUser':
      return { headers: { authorization: basicCredentials(forgery.user, secret) }, query: {} };
    case 'stale': {
      // A real signature, of other bytes: the corpus delivery this body was mutated from, or the body plus a byte.
      const other = base.body.equals(received) ? Buffer.concat([received, Buffer.from('\n')]) : base.body;
      return grantOf(model, forgery.grant).issue(other, secret);
    }
    case 'reshaped': {
      const valid = grantOf(model, forgery.grant).issue(received, secret);
      const [header, value = ''] = Object.entries(valid.headers)[0] ?? [];
      if (header === undefined) return valid;
      return { headers: { [header]: `${value.slice(0, Math.max(0, value.length - forgery.cut))}${forgery.suffix}` }, query: {} };
    }
  }
}

/**
 * Secrets that are not the source's. HMAC pads keys shorter than its block with zeros, so a secret
 * followed by NULs signs exactly as the secret does: that is HMAC, not a flaw of the relay.
 */
function wrongSecret(secrets: string[]): fc.Arbitrary<string> {
  const stripped = (secret: string) => secret.replace(/\0+$/, '');
  return fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.tuple(fc.constantFrom(...secrets), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })).map(([secret, at, text]) => {
        const index = at % (secret.length + 1);
        return `${secret.slice(0, index)}${text}${secret.slice(index + 1)}`;
      }),
      fc.constantFrom(...secrets).map((secret) => secret.toUpperCase()),
      fc.constantFrom(...secrets).map((secret) => secret.slice(0, -1)),
      fc.constantFrom(...secrets).map((secret) => ` ${secret}`),
    )
    .filter((candidate) => secrets.every((secret) => stripped(candidate) !== stripped(secret)));
}

/** The corpus delivery as sent, mutated as JSON or as bytes, or replaced by random bytes, text or JSON. */
function bodyOf(base: Base): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(base.body) },
    { weight: 4, arbitrary: jsonMutations(base.body) },
    { weight: 1, arbitrary: byteMutations(base.body) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 1024 }).map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.json().map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.dictionary(fc.string(), fc.jsonValue()).map((value) => Buffer.from(JSON.stringify(value))) },
  );
}

type Change = { kind: 'set'; value: unknown } | { kind: 'remove' } | { kind: 'duplicate' };

/**
 * One to three fields of the delivery replaced by any JSON value or removed, or an item of a list
 * repeated (several ref changes or tags in one delivery give several events).
 */
function jsonMutations(body: Buffer): fc.Arbitrary<Buffer> {
  const parsed = JSON.parse(body.toString('utf8')) as unknown;
  const change: fc.Arbitrary<Change> = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue().map((value) => ({ kind: 'set' as const, value })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'remove' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'duplicate' as const }) },
  );
  return fc.array(fc.record({ path: fc.constantFrom(...pathsOf(parsed)), change }), { minLength: 1, maxLength: 3 }).map((mutations) => {
    const copy = structuredClone(parsed);
    for (const { path, change: applied } of mutations) mutate(copy, path, applied);
    return Buffer.from(JSON.stringify(copy));
  });
}

/** Bytes flipped, inserted or deleted: what a broken proxy or a truncated upload sends. */
function byteMutations(body: Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('flip', 'insert', 'delete'), byte: fc.integer({ min: 0, max: 255 }) });
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const bytes = [...body];
    for (const { at, kind, byte } of edits) {
      const index = at % (bytes.length + 1);
      if (kind === 'insert') bytes.splice(index, 0, byte);
      else if (kind === 'delete') bytes.splice(index, 1);
      else if (index < bytes.length) bytes[index] = (bytes[index] ?? 0) ^ (byte | 1);
    }
    return Buffer.from(bytes);
  });
}

/** How API Gateway hands the body over; the odd ones are hostile. */
type WireMode = { kind: 'text' } | { kind: 'base64' } | { kind: 'absent'; isBase64Encoded: boolean } | { kind: 'bogusBase64'; text: string };

const wireMode: fc.Arbitrary<WireMode> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'text' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'base64' as const }) },
  { weight: 1, arbitrary: fc.boolean().map((isBase64Encoded) => ({ kind: 'absent' as const, isBase64Encoded })) },
  // Text that claims to be base64 and is not: Node decodes what it can and drops the rest.
  { weight: 1, arbitrary: hostileText.map((text) => ({ kind: 'bogusBase64' as const, text })) },
);

function wired(body: Buffer, mode: WireMode): Wire {
  switch (mode.kind) {
    case 'text':
      return { body: body.toString('utf8'), isBase64Encoded: false };
    case 'base64':
      return { body: body.toString('base64'), isBase64Encoded: true };
    case 'absent':
      return { body: null, isBase64Encoded: mode.isBase64Encoded };
    case 'bogusBase64':
      return { body: mode.text, isBase64Encoded: true };
  }
}

type JsonPath = (string | number)[];

function pathsOf(value: unknown, path: JsonPath = [], found: JsonPath[] = []): JsonPath[] {
  if (path.length > 0) found.push(path);
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...path, index], found));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], found);
  return found;
}

function mutate(root: unknown, path: JsonPath, change: Change): void {
  // A repeat copies the innermost list item the path runs through, such as push.changes[0].
  const itemEnd = change.kind === 'duplicate' ? path.findLastIndex((step) => typeof step === 'number') + 1 : path.length;
  const target = path.slice(0, itemEnd);
  const parent = target.slice(0, -1).reduce<unknown>((node, step) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[step] : undefined), root);
  const last = target[target.length - 1];
  if (parent === null || typeof parent !== 'object' || last === undefined) return;
  const record = parent as Record<string | number, unknown>;
  // An earlier change may have replaced the list this one expected.
  if (change.kind === 'duplicate') {
    if (Array.isArray(parent)) parent.push(structuredClone(record[last]));
  } else if (change.kind === 'set') record[last] = change.value;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete record[last];
}

/** The delivery's JSON (an object, as every base is) with a string field of `filler` added first, to about `bytes` bytes in all. */
function padded(body: Buffer, bytes: number, filler: string): Buffer {
  const rest = body.toString('utf8').trimStart().slice(1);
  const room = Math.max(0, bytes - Buffer.byteLength(rest) - 20);
  return Buffer.from(`{"fuzz_padding":"${filler.repeat(Math.ceil(room / Buffer.byteLength(filler)))}",${rest}`);
}

function nestedJson(depth: number, shape: string): string {
  if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const half = Math.ceil(depth / 2);
  return `${'[{"a":'.repeat(half)}null${'}]'.repeat(half)}`;
}

/** The delivery's JSON with the value at one of its paths (chosen by `at`) replaced by raw JSON text. */
function withValueAt(body: Buffer, at: number, json: string): string {
  const parsed = JSON.parse(body.toString('utf8')) as unknown;
  const paths = pathsOf(parsed);
  const marker = '\u0000fuzz-nested\u0000';
  const path = paths[at % Math.max(1, paths.length)];
  if (path === undefined) return json;
  mutate(parsed, path, { kind: 'set', value: marker });
  return JSON.stringify(parsed).replace(JSON.stringify(marker), json);
}
