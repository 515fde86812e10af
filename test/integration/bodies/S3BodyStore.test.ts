import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BodyReadError } from '../../../lambda/bodies/BodyStore';
import { S3BodyStore } from '../../../lambda/bodies/S3BodyStore';
import { type LocalBucket, startLocalBucket } from '../../../local/localAws';

let folder: string;
let bucket: LocalBucket | undefined;

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'relay-bodies-'));
});

afterEach(async () => {
  await bucket?.stop();
  bucket = undefined;
  rmSync(folder, { recursive: true, force: true });
});

async function store(): Promise<S3BodyStore> {
  const started = await startLocalBucket({ directory: folder });
  bucket = started;
  return new S3BodyStore({ bucket: started.bucket, client: () => started.client });
}

it('keeps a body under bodies/, by day and source, and gives it back byte for byte', async () => {
  const bodies = await store();
  const body = Buffer.from(Array.from({ length: 2_000_000 }, (_unused, index) => index % 251));

  const reference = await bodies.put(body, 'github acme');

  expect(reference).toEqual({ bucket: 'relay-bodies', key: expect.stringMatching(/^bodies\/\d{4}-\d{2}-\d{2}\/github%20acme\/[0-9a-f-]{36}$/), bytes: 2_000_000 });
  expect((await bodies.get(reference)).equals(body)).toBe(true);
});

it('keeps what it stored across a restart of local mode’s S3 server, which writes to its folder', async () => {
  const reference = await (await store()).put(Buffer.from('{"kept":true}'), 'github');
  await bucket?.stop();

  expect((await (await store()).get(reference)).toString()).toBe('{"kept":true}');
});

it('says for good that a body is gone, naming the object', async () => {
  const bodies = await store();
  const missing = { bucket: 'relay-bodies', key: 'bodies/2026-11-28/github/none', bytes: 1 };

  await expect(bodies.get(missing)).rejects.toEqual(
    new BodyReadError('s3://relay-bodies/bodies/2026-11-28/github/none cannot be read (NoSuchKey): the object expired, was removed, or the function may not read it', true),
  );
});

it('says that S3 out of reach may pass', async () => {
  const bodies = await store();
  const reference = await bodies.put(Buffer.from('{}'), 'github');
  await bucket?.stop();
  bucket = undefined;

  const error = await bodies.get(reference).then(() => undefined, (failure: unknown) => failure);
  expect(error).toBeInstanceOf(BodyReadError);
  expect(error).toMatchObject({ permanent: false, message: expect.stringContaining('could not be read now') });
});
