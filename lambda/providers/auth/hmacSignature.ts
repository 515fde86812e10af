import { createHmac } from 'node:crypto';
import { InvalidSignatureError, MissingSignatureError } from '../errors';
import type { WebhookRequest } from '../types';
import { constantTimeEqual } from './constantTimeEqual';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface HmacScheme {
  /** Header carrying the signature, lower-case, e.g. `x-hub-signature-256`. */
  header: string;
  algorithm: HmacAlgorithm;
  /** Text before the digest, e.g. `sha256=`. @default '' */
  prefix?: string;
  /** @default 'hex' */
  encoding?: 'hex' | 'base64';
}

/**
 * Verifies an HMAC of the exact raw body against each of the source's secrets (two during a
 * rotation). Hex digests are compared case-insensitively.
 *
 * @throws MissingSignatureError when the header is absent, InvalidSignatureError when no secret matches.
 */
export function verifyHmac(request: WebhookRequest, secrets: readonly string[], scheme: HmacScheme): void {
  const value = request.headers[scheme.header];
  if (value === undefined || value.trim() === '') {
    throw new MissingSignatureError(`the ${scheme.header} header is missing: the delivery is not signed`);
  }
  if (!hmacMatches(request.body, value.trim(), secrets, scheme)) {
    throw new InvalidSignatureError(`the ${scheme.header} signature does not match the body for any of the source's secrets`);
  }
}

/** Whether `signature` (with the scheme's prefix) is the HMAC of `body` under any secret. */
export function hmacMatches(body: Buffer, signature: string, secrets: readonly string[], scheme: HmacScheme): boolean {
  const prefix = scheme.prefix ?? '';
  const encoding = scheme.encoding ?? 'hex';
  if (!signature.toLowerCase().startsWith(prefix.toLowerCase())) return false;
  const provided = signature.slice(prefix.length);
  const normalised = encoding === 'hex' ? provided.toLowerCase() : provided;
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac(scheme.algorithm, secret).update(body).digest(encoding);
    if (constantTimeEqual(normalised, expected)) matched = true;
  }
  return matched;
}
