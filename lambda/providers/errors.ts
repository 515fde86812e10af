/**
 * Why a delivery was refused. Ingress answers `status` with `{"error": code, "message": message}`.
 * Messages name headers and fields, never a secret or a signature value.
 */
export type WebhookErrorCode = 'missing_signature' | 'invalid_signature' | 'unknown_event' | 'malformed_body';

export abstract class WebhookError extends Error {
  abstract readonly code: WebhookErrorCode;
  abstract readonly status: 400 | 401;

  toJSON(): { error: WebhookErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}

/** The credential the source requires (signature, token, Basic auth) is absent. */
export class MissingSignatureError extends WebhookError {
  override readonly name = 'MissingSignatureError';
  readonly code = 'missing_signature';
  readonly status = 401;
}

/** A credential is present but matches none of the source's secrets. */
export class InvalidSignatureError extends WebhookError {
  override readonly name = 'InvalidSignatureError';
  readonly code = 'invalid_signature';
  readonly status = 401;
}

/** The delivery does not say which event it is, or names one the provider never sends. */
export class UnknownEventError extends WebhookError {
  override readonly name = 'UnknownEventError';
  readonly code = 'unknown_event';
  readonly status = 400;
}

/** The body is not what the provider sends for that event: not JSON, or a required field is missing. */
export class MalformedBodyError extends WebhookError {
  override readonly name = 'MalformedBodyError';
  readonly code = 'malformed_body';
  readonly status = 400;
}
