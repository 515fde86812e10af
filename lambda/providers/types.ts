import type { CanonicalEvent, ProviderName } from '../events/CanonicalEvent';

/** A webhook delivery as it arrived over HTTP. */
export interface WebhookRequest {
  /** The body, byte for byte as received: signatures are computed over exactly these bytes. */
  body: Buffer;
  /** Header names in lower case, one value each. */
  headers: Record<string, string>;
  /** Query parameters of the webhook URL (where providers that sign nothing carry a token). */
  query: Record<string, string>;
}

/** A configured webhook source: which provider sends to it and with which secrets. */
export interface SourceConfig {
  /** The name in the webhook URL, `/hooks/{name}`. */
  name: string;
  provider: ProviderName;
  /** The current secret, then the previous one while a rotation is under way. Empty for an unauthenticated source. */
  secrets: readonly string[];
  /** Provider-specific options, checked against the adapter's `optionsSchema`. */
  options?: Record<string, unknown>;
}

/** What an adapter reads from a delivery for one event; the driver adds source, provider and times. */
export type EventFields = Omit<CanonicalEvent, 'source' | 'provider' | 'deliveryId' | 'receivedAt' | 'occurredAt'> & {
  occurredAt?: string;
};

export interface NormalisedDelivery {
  /** The provider's own delivery id; absent where it sends none (the driver then hashes the body). */
  deliveryId?: string;
  /** Usually one; several where one delivery reports several ref changes (Bitbucket, Azure DevOps). */
  events: EventFields[];
}

/**
 * Where a provider's credentials travel in a delivery, for one source's options: ingress redacts
 * these places before the delivery is queued, logged or dead-lettered. Signatures of the body are
 * credentials too: with one, a copy of the delivery can be replayed. Adapters derive them from
 * their authentication (`authenticatedBy` in auth/authentication.ts).
 */
export interface CredentialPlaces {
  /** Header names, lower case. */
  headers?: readonly string[];
  /** Query parameters of the webhook URL, as named in it. */
  query?: readonly string[];
  /** Keys of the JSON body whose string values are credentials, at any depth. */
  bodyFields?: readonly string[];
}

/**
 * One provider: how it authenticates, where its credentials travel, and how its deliveries become
 * canonical events. The methods throw only {@link WebhookError}s.
 */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** JSON Schema of the source's `options` for this provider. */
  readonly optionsSchema: Record<string, unknown>;
  /** Whether a source needs a secret: false where its deliveries may come by a route that crosses no network (see `fromQueue`). */
  readonly requiresSecret: boolean;
  /** What its events carry: Git details (`git`), artifact details (`artifact`), or either. */
  readonly describes: readonly ('git' | 'artifact')[];
  /** Every place a credential of this provider may travel, for a source with these options. */
  credentialPlaces(options: Record<string, unknown>): CredentialPlaces;
  /** Checks that the delivery comes from the provider: over the raw bytes, before anything is parsed. */
  authenticate(request: WebhookRequest, secrets: readonly string[], options: Record<string, unknown>): void;
  /**
   * Names the event and builds its canonical fields from the parsed body. On this hot path the
   * adapters extend fresh objects with Object.assign rather than spread them into a literal that
   * goes on: V8 (Node 20) makes such a literal a slow copy, microseconds per object.
   */
  normalise(request: WebhookRequest, body: Record<string, unknown>, options: Record<string, unknown>): NormalisedDelivery;
  /**
   * Recognises one of the provider's events put on the relay's queue by another route than
   * ingress (`message` parsed, `text` as it came), and returns it as the request to normalise,
   * unauthenticated; undefined when the message is not one.
   */
  fromQueue?(message: unknown, text: string): WebhookRequest | undefined;
}
