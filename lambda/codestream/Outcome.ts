/**
 * What became of one execute call. Every answer, every transport failure and every failure to
 * authenticate is one of these; the client never throws for them. The relay decides from `kind`
 * alone whether to acknowledge, retry or dead-letter.
 */
export type Outcome = Created | Retryable | Unauthorized | Forbidden | NotFound | Rejected | Tls;

/** Every outcome but success: what a failed login or call carries. */
export type Failure = Exclude<Outcome, Created>;

export type OutcomeKind = Outcome['kind'];

/** The step that produced the outcome: reading the secret, logging in, or the execute call itself. */
export type OutcomeStage = 'credentials' | 'login' | 'execute';

interface OutcomeBase {
  stage: OutcomeStage;
  /** The HTTP status, when an HTTP answer was received. */
  status?: number;
  /** One sentence an operator can act on. Never holds a token or a credential. */
  reason: string;
  /** The start of the response body, bounded and with any known secret redacted; '' when there was none. */
  snippet: string;
}

/** 2xx: Code Stream accepted the execution. */
export interface Created extends OutcomeBase {
  kind: 'created';
  stage: 'execute';
  status: number;
  /** Absent only when Code Stream's answer lacked it; the execution was still accepted. */
  executionId?: string;
  executionIndex?: number;
  /** Absolute URL of the execution, built from the answer's relative `executionLink`. */
  executionLink?: string;
}

/** 500/502/503/504, 408, 429, timeouts, connection errors, and transient failures to read the secret. */
export interface Retryable extends OutcomeBase {
  kind: 'retryable';
  cause: 'status' | 'timeout' | 'connection' | 'service';
  /**
   * The request may have reached Code Stream and started the execution though no answer came back
   * (a timeout, a reset connection): a retry must first look for that execution.
   */
  maybeProcessed?: boolean;
  /** The delay the server asked for with Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

/** 401 after one token renewal, a refused login, or a credentials secret that cannot be used. */
export interface Unauthorized extends OutcomeBase {
  kind: 'unauthorized';
}

export interface Forbidden extends OutcomeBase {
  kind: 'forbidden';
  stage: 'execute';
  status: 403;
}

export interface NotFound extends OutcomeBase {
  kind: 'notFound';
  stage: 'execute';
  status: 404;
}

/** Any other answer that retrying cannot fix: other 4xx, 501, 505, redirects, a proxy that refuses the tunnel. */
export interface Rejected extends OutcomeBase {
  kind: 'rejected';
}

/**
 * The TLS handshake failed: a certificate that is not trusted, expired, or issued for another host
 * name, or no TLS at all on the port. Retrying cannot fix it; the reason says what to change.
 */
export interface Tls extends OutcomeBase {
  kind: 'tls';
  cause: 'untrusted' | 'expired' | 'revoked' | 'hostname' | 'protocol';
}
