import { hash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in time that depends on neither's content nor length: both are hashed to
 * 32 bytes first, so timingSafeEqual always sees equal lengths.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** True when `provided` equals any of `secrets`; every secret is compared, so timing says nothing of which. */
export function matchesAny(provided: string | Buffer, secrets: readonly string[]): boolean {
  const digest = sha256(provided);
  let matched = false;
  for (const secret of secrets) {
    if (timingSafeEqual(digest, secretDigest(secret))) matched = true;
  }
  return matched;
}

const SECRET_DIGESTS = new Map<string, Buffer>();

/** Kept per secret, as the secret store keeps the secret itself: a delivery then hashes only what it brings. */
function secretDigest(secret: string): Buffer {
  let digest = SECRET_DIGESTS.get(secret);
  if (digest === undefined) {
    digest = sha256(secret);
    SECRET_DIGESTS.set(secret, digest);
  }
  return digest;
}

/** One-shot: a fraction of the cost of a Hash object for a value this short. */
function sha256(value: string | Buffer): Buffer {
  return hash('sha256', value, 'buffer');
}
