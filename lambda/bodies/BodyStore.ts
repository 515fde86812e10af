/** Where a delivery's body is kept when it is too large for an SQS message: the message carries this instead (a claim check). */
export interface BodyReference {
  bucket: string;
  key: string;
  /** The body's size, for people reading the message. */
  bytes: number;
}

/** The store of large bodies: S3 in the cloud and in local mode (a local S3 server). */
export interface BodyStore {
  /** Keeps the body of a delivery from `source`, under a key of its own. */
  put(body: Buffer, source: string): Promise<BodyReference>;
  /** @throws BodyReadError */
  get(reference: BodyReference): Promise<Buffer>;
}

/**
 * A body that could not be read. `permanent` when retrying cannot help (the object is gone,
 * expired, or this function may not read it); otherwise a transient failure worth retrying.
 */
export class BodyReadError extends Error {
  override readonly name = 'BodyReadError';

  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** The key prefix of every body: the only keys the functions may write and read (infra/BodyBucket.ts). */
export const BODY_KEY_PREFIX = 'bodies/';

/** Under {@link BODY_KEY_PREFIX}, by day, so that a person can find one. */
export function bodyKey(source: string, at: Date, id: string): string {
  return `${BODY_KEY_PREFIX}${at.toISOString().slice(0, 10)}/${encodeURIComponent(source)}/${id}`;
}
