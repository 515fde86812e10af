import { BodyReadError, type BodyReference, type BodyStore, bodyKey } from '../../lambda/bodies/BodyStore';

/** The store of large bodies, in memory: what was put, by key; `failure` fails every call with it. */
export class InMemoryBodyStore implements BodyStore {
  readonly objects = new Map<string, Buffer>();

  constructor(
    readonly bucket = 'test-bodies',
    private readonly failure?: Error,
  ) {}

  async put(body: Buffer, source: string): Promise<BodyReference> {
    if (this.failure) throw this.failure;
    const key = bodyKey(source, new Date('2026-11-28T12:00:00Z'), `object-${this.objects.size + 1}`);
    this.objects.set(key, Buffer.from(body));
    return { bucket: this.bucket, key, bytes: body.length };
  }

  async get(reference: BodyReference): Promise<Buffer> {
    if (this.failure) throw this.failure;
    const body = reference.bucket === this.bucket ? this.objects.get(reference.key) : undefined;
    if (body === undefined) throw new BodyReadError(`s3://${reference.bucket}/${reference.key} cannot be read (NoSuchKey)`, true);
    return body;
  }
}
