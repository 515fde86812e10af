import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in time that depends on neither's content nor length: both are hashed to
 * 32 bytes first, so timingSafeEqual always sees equal lengths.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

/** True when `provided` equals any of `secrets`; every secret is compared, so timing says nothing of which. */
export function matchesAny(provided: string | Buffer, secrets: readonly string[]): boolean {
  let matched = false;
  for (const secret of secrets) {
    if (constantTimeEqual(provided, secret)) matched = true;
  }
  return matched;
}
