import { MissingSignatureError } from '../errors';
import type { CredentialPlaces, ProviderAdapter, WebhookRequest } from '../types';
import { verifyBasicAuth } from './basicAuth';
import { type HmacScheme, verifyHmac } from './hmacSignature';
import { verifySharedToken } from './sharedToken';

/** One credential a delivery may carry: the place it travels in, and how it is checked there. */
export interface Credential {
  /** A header (lower case), or a query parameter of the webhook URL as named in it. */
  place: { header: string } | { query: string };
  verify(request: WebhookRequest, secrets: readonly string[]): void;
}

/**
 * How a source's deliveries authenticate, and so where its credentials travel: the first of
 * `credentials` that a delivery carries (with a value) is checked; a delivery that carries none
 * is refused with MissingSignatureError(`missing`). A signature is a credential too: with it, a
 * copy of the delivery can be replayed.
 */
export interface Authentication {
  credentials: readonly Credential[];
  missing: string;
  /** Where the provider also sends a credential that is not checked (a second signature; an old server's secret in the body). */
  alsoSent?: CredentialPlaces;
}

/** An HMAC of the raw body, in `scheme.header`. */
export function signature(scheme: HmacScheme): Credential {
  return { place: { header: scheme.header }, verify: (request, secrets) => verifyHmac(request, secrets, scheme) };
}

/**
 * The secret itself in `header` (lower case), bare or after one of `prefixes` (`Bearer `) where
 * the provider may add one; `where` names the header for error messages.
 */
export function headerToken(header: string, where: string, prefixes: readonly string[] = []): Credential {
  return {
    place: { header },
    verify(request, secrets) {
      let accepted = secrets;
      if (prefixes.length > 0) {
        // Gathered in a loop: flatMap costs more than the check.
        const prefixed: string[] = [...secrets];
        for (const prefix of prefixes) for (const secret of secrets) prefixed.push(`${prefix}${secret}`);
        accepted = prefixed;
      }
      verifySharedToken(request.headers[header], accepted, where);
    },
  };
}

/** The secret itself in the query parameter `parameter` of the webhook URL. */
export function queryToken(parameter: string): Credential {
  return { place: { query: parameter }, verify: (request, secrets) => verifySharedToken(request.query[parameter], secrets, `the "${parameter}" query parameter`) };
}

/** `Authorization: Basic`, whose password is a secret and whose user is `username` when one is set. */
export function basicAuth(username?: string): Credential {
  return { place: { header: 'authorization' }, verify: (request, secrets) => verifyBasicAuth(request.headers.authorization, secrets, username) };
}

/** Checks the first credential the delivery carries. @throws MissingSignatureError when it carries none. */
function authenticateWith(authentication: Authentication, request: WebhookRequest, secrets: readonly string[]): void {
  for (const credential of authentication.credentials) {
    const { place } = credential;
    const value = 'header' in place ? request.headers[place.header] : request.query[place.query];
    if (value !== undefined && value !== '') return credential.verify(request, secrets);
  }
  throw new MissingSignatureError(authentication.missing);
}

/** Every place the authentication reads a credential from, and those the provider also sends one in. */
function placesOf(authentication: Authentication): CredentialPlaces {
  const headers: string[] = [...(authentication.alsoSent?.headers ?? [])];
  const query: string[] = [...(authentication.alsoSent?.query ?? [])];
  for (const { place } of authentication.credentials) {
    if ('header' in place) headers.push(place.header);
    else query.push(place.query);
  }
  return { headers, query, bodyFields: authentication.alsoSent?.bodyFields ?? [] };
}

/**
 * An adapter's `authenticate` and `credentialPlaces` from one description, for every source or
 * per source's options: the places redacted are the places checked, so none can be forgotten.
 */
export function authenticatedBy(
  authentication: Authentication | ((options: Record<string, unknown>) => Authentication),
): Pick<ProviderAdapter, 'credentialPlaces' | 'authenticate'> {
  if (typeof authentication !== 'function') {
    const places = placesOf(authentication);
    return { credentialPlaces: () => places, authenticate: (request, secrets) => authenticateWith(authentication, request, secrets) };
  }
  type Described = { authentication: Authentication; places: CredentialPlaces };
  const describe = (options: Record<string, unknown>): Described => {
    const described = authentication(options);
    return { authentication: described, places: placesOf(described) };
  };
  // Kept per source's options, which are config: the same object for every delivery of a source.
  // A source without options gets a new empty object each time: one entry stands for them all.
  const known = new WeakMap<Record<string, unknown>, Described>();
  let withoutOptions: Described | undefined;
  const of = (options: Record<string, unknown>): Described => {
    if (isEmpty(options)) return (withoutOptions ??= describe(options));
    let entry = known.get(options);
    if (entry === undefined) {
      entry = describe(options);
      known.set(options, entry);
    }
    return entry;
  };
  return {
    credentialPlaces: (options) => of(options).places,
    authenticate: (request, secrets, options) => authenticateWith(of(options).authentication, request, secrets),
  };
}

function isEmpty(options: Record<string, unknown>): boolean {
  for (const _ in options) return false;
  return true;
}
