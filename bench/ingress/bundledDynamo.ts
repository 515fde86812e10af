import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildBundle } from '../bundles/buildBundle';
import type * as Entry from './dynamoEntry';

const ROOT = path.join(__dirname, '../..');

/**
 * `./dynamoEntry.ts` (DynamoDeliveryLog, IdempotencyStore, InstantDynamo) bundled as the stack
 * bundles the functions (bench/bundles/buildBundle.ts), and loaded: the DynamoDB writes are timed
 * as Lambda runs them. Not from source under tsx: DynamoDeliveryLog imports the SDK's commands
 * with `import()` at every write (so that ingress loads no DynamoDB SDK at a cold start), and
 * under tsx each `import()` goes through tsx's module hooks, in a thread of their own: 0.3 to
 * 0.5 ms a call on this machine, more than the write itself. In a bundle esbuild makes it a
 * `require` of the bundled module, resolved at once.
 */
export async function bundledDynamo(): Promise<typeof Entry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-dynamo-'));
  try {
    const bundle = await buildBundle(ROOT, 'bench/ingress/dynamoEntry.ts', dir);
    return createRequire(__filename)(bundle.file) as typeof Entry;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
