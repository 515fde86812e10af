import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalQueues, LocalTable } from '../../local/localAws';
import { writeLocalState } from '../../local/LocalState';

/**
 * A state folder as a running local relay leaves it (local.json), naming these queues, this table
 * if given, and `configFile`, and this process as the relay: what the operator commands read.
 */
export function localStateOf(queues: LocalQueues, configFile: string, table?: LocalTable): string {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'relay-state-'));
  writeLocalState(stateDir, {
    sqsEndpoint: queues.endpoint,
    region: 'us-east-1',
    queueUrl: queues.queueUrl,
    deadLetterQueueUrl: queues.dlqUrl,
    ...(table ? { dynamodbEndpoint: table.endpoint, idempotencyTable: table.tableName } : {}),
    configFile,
    codestreamUrl: 'http://127.0.0.1:9',
    pid: process.pid,
  });
  return stateDir;
}
