import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSignatureError, MissingSignatureError } from '../errors';
import type { WebhookRequest } from '../types';

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

/**
 * Whether `signature` (with the scheme's prefix) is the HMAC of `body` under any secret. One HMAC
 * per secret, stopping at the first that matches: timing may tell the current secret from the
 * previous one, which is no secret. Each candidate is compared in constant time; a digest's
 * length is the algorithm's, so a length that differs says nothing about the secret.
 */
export function hmacMatches(body: Buffer, signature: string, secrets: readonly string[], scheme: HmacScheme): boolean {
  const prefix = scheme.prefix ?? '';
  const encoding = scheme.encoding ?? 'hex';
  if (signature.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return false;
  const digest = signature.slice(prefix.length);
  const provided = Buffer.from(encoding === 'hex' ? digest.toLowerCase() : digest);
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac(scheme.algorithm, secret).update(body).digest(encoding));
    if (provided.length === expected.length && timingSafeEqual(provided, expected)) return true;
  }
  return false;
}
