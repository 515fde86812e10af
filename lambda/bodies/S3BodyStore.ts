import { randomUUID } from 'node:crypto';
import type * as S3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { BodyReadError, type BodyReference, type BodyStore, bodyKey } from './BodyStore';

/** S3's answers that retrying cannot change: the object is gone (expired), or this function may not read it. */
const PERMANENT = new Set(['NoSuchKey', 'NoSuchBucket', 'AccessDenied', 'NotFound', 'Forbidden']);

export interface S3BodyStoreOptions {
  bucket: string;
  /** Makes the client, at the first large delivery: most deliveries never need S3, and a cold start should not load its SDK. */
  client: () => S3Client | Promise<S3Client>;
}

/** Large bodies in an S3 bucket, under `bodies/`, encrypted by the bucket's default encryption. */
export class S3BodyStore implements BodyStore {
  readonly #bucket: string;
  readonly #client: () => S3Client | Promise<S3Client>;
  #commands?: Promise<typeof S3>;
  #made?: Promise<S3Client>;

  constructor(options: S3BodyStoreOptions) {
    this.#bucket = options.bucket;
    this.#client = options.client;
  }

  async put(body: Buffer, source: string): Promise<BodyReference> {
    const key = bodyKey(source, new Date(), randomUUID());
    const { PutObjectCommand } = await this.#sdk();
    await (await this.#s3()).send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentType: 'application/octet-stream' }));
    return { bucket: this.#bucket, key, bytes: body.length };
  }

  async get(reference: BodyReference): Promise<Buffer> {
    const { GetObjectCommand } = await this.#sdk();
    const where = `s3://${reference.bucket}/${reference.key}`;
    try {
      const { Body } = await (await this.#s3()).send(new GetObjectCommand({ Bucket: reference.bucket, Key: reference.key }));
      if (!Body) throw new BodyReadError(`${where} has no content`, true);
      return Buffer.from(await Body.transformToByteArray());
    } catch (error) {
      if (error instanceof BodyReadError) throw error;
      const name = (error as Error).name;
      if (PERMANENT.has(name)) {
        throw new BodyReadError(`${where} cannot be read (${name}): the object expired, was removed, or the function may not read it`, true);
      }
      throw new BodyReadError(`${where} could not be read now (${name}: ${(error as Error).message})`, false);
    }
  }

  // A failed import or client is not kept: the next large delivery tries again.
  #sdk(): Promise<typeof S3> {
    return (this.#commands ??= import('@aws-sdk/client-s3').catch((error: unknown) => {
      this.#commands = undefined;
      throw error;
    }));
  }

  #s3(): Promise<S3Client> {
    return (this.#made ??= Promise.resolve()
      .then(() => this.#client())
      .catch((error: unknown) => {
        this.#made = undefined;
        throw error;
      }));
  }
}
