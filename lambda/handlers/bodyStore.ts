import type { S3Client } from '@aws-sdk/client-s3';
import type { BodyStore } from '../bodies/BodyStore';
import { S3BodyStore } from '../bodies/S3BodyStore';
import { traced } from './tracing';

/**
 * The store of bodies too large for a queued message, where the stack gave a bucket (BODY_BUCKET);
 * undefined otherwise. The S3 SDK is loaded at its first use, not at a cold start.
 */
export function bodyStore(env: NodeJS.ProcessEnv, s3?: S3Client): BodyStore | undefined {
  const bucket = env.BODY_BUCKET;
  if (!bucket) return undefined;
  return new S3BodyStore({ bucket, client: s3 ? () => s3 : async () => traced(new (await import('@aws-sdk/client-s3')).S3Client({})) });
}
