import { once } from 'node:events';
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, type CreateTableCommandInput, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ISqsServerOptions, createSqsServer } from 'local-aws-sqs';
import { type JournaledSqsServer, createJournaledSqsServer } from './JournaledSqsServer';
import { type JournaledMessage, QueueJournal, readJournal } from './QueueJournal';
import { LOCAL_CREDENTIALS, localS3ClientConfig } from './LocalState';
import { DELIVERY_TABLE, SUMMARY_ATTRIBUTES } from '../lambda/history/deliveryTable';

/*
 * The AWS services of the relay on one machine, for local mode, the tests and the benchmarks alike:
 * SQS (local-aws-sqs) with the relay's queue and its dead-letter queue, DynamoDB (dynalite) with
 * the idempotency table, and S3 (s3rver) with the bucket of large bodies. All listen on loopback
 * only.
 */

export const LOCAL_REGION = 'us-east-1';
/** local-aws-sqs's account, in its queue URLs and ARNs. */
const ACCOUNT = '123456789012';
/** As the stack sets it (infra/RelayQueues.ts); SQS's default is 256 KiB. */
const MAX_MESSAGE_BYTES = 1_048_576;
const FOURTEEN_DAYS_SECONDS = 1_209_600;
/** dynalite's table is ACTIVE a tick after it is created; another endpoint's may take a while. */
const TABLE_ACTIVE_TIMEOUT_MS = 30_000;

/** s3rver ships no types; this is the part of its API used here. */
interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rver;
const S3rverServer = createRequire(__filename)('s3rver') as S3rverClass;

/** dynalite ships no types; this is the part of its API used here. */
type Dynalite = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const dynalite = createRequire(__filename)('dynalite') as Dynalite;

export interface LocalQueuesOptions {
  /** The main queue; its DLQ is `<queueName>-dlq`. @default 'relay-deliveries' */
  queueName?: string;
  /** The loopback port. @default 0, a free one */
  port?: number;
  /** Receives after which the queue's redrive policy moves a message to the DLQ. @default 10, the stack's default */
  maxReceiveCount?: number;
  /** The main queue's VisibilityTimeout. @default 30, SQS's */
  visibilityTimeoutSeconds?: number;
  /**
   * An SQS endpoint that outlives this process (one that another process started with this
   * function): nothing is started, and the queues must exist there already.
   */
  endpoint?: string;
  /**
   * A file where every change the queues acknowledge is written before it is acknowledged
   * (local/QueueJournal.ts). What it holds as queued is sent again at start, delays kept: the
   * queues survive a kill. @default none: the queues live in memory
   */
  journal?: string;
}

export interface LocalQueues {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
  /** What the journal held as queued at start, sent again: on the main queue and on the DLQ. */
  restored: { queued: number; deadLettered: number };
  /** What the journal holds as queued now; undefined without a journal. */
  journaled(): { queued: number; deadLettered: number } | undefined;
  /** Closes the client, and the server if this process started it, dropping any long poll in flight. */
  stop(): Promise<void>;
}

/**
 * Starts local-aws-sqs (or uses `endpoint`) with the main queue and its DLQ as the stack makes
 * them: messages up to 1 MiB, the DLQ keeping its messages 14 days, and a RedrivePolicy from the
 * one to the other.
 *
 * @example
 * const queues = await startLocalQueues({ maxReceiveCount: 2 });
 * await queues.client.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{}' }));
 * await queues.stop();
 */
export async function startLocalQueues(options: LocalQueuesOptions = {}): Promise<LocalQueues> {
  const queueName = options.queueName ?? 'relay-deliveries';
  const dlqName = `${queueName}-dlq`;
  let server: Server | undefined;
  let journal: QueueJournal | undefined;
  let journaled: JournaledSqsServer | undefined;
  let endpoint = options.endpoint;
  let restoring = new Map<string, JournaledMessage>();
  if (endpoint === undefined) {
    const emulator: ISqsServerOptions = {
      port: options.port ?? 0,
      hostname: '127.0.0.1',
      // Without it, local-aws-sqs takes the region for its ARNs from AWS_REGION.
      region: LOCAL_REGION,
      queues: [
        { QueueName: dlqName, Attributes: { MessageRetentionPeriod: FOURTEEN_DAYS_SECONDS, MaximumMessageSize: MAX_MESSAGE_BYTES } },
        {
          QueueName: queueName,
          Attributes: {
            VisibilityTimeout: options.visibilityTimeoutSeconds ?? 30,
            MaximumMessageSize: MAX_MESSAGE_BYTES,
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${LOCAL_REGION}:${ACCOUNT}:${dlqName}`, maxReceiveCount: options.maxReceiveCount ?? 10 }),
          },
        },
      ],
    };
    if (options.journal === undefined) server = await createSqsServer(emulator);
    else {
      // The messages are queued again, under their ids, into a new journal that replaces the old one
      // only once they all are: a kill while restoring leaves the old one whole.
      restoring = existsSync(options.journal) ? readJournal(options.journal) : new Map();
      rmSync(`${options.journal}.new`, { force: true });
      journal = new QueueJournal(`${options.journal}.new`);
      journaled = createJournaledSqsServer(emulator, journal);
      server = journaled.server;
      server.listen(emulator.port, emulator.hostname);
      await once(server, 'listening');
    }
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const client = new SQSClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS });
  const stopped = () => journal?.close();
  return stoppable(client, server, stopped, async () => {
    const [queue, dlq] = await Promise.all([queueOf(client, queueName), queueOf(client, dlqName)]);
    const urls: Record<string, string> = { [queueName]: queue.url, [dlqName]: dlq.url };
    const restored = { queued: 0, deadLettered: 0 };
    for (const [id, message] of restoring) {
      const url = urls[message.queue];
      if (url === undefined || journaled === undefined) throw new Error(`${options.journal} holds a message of the queue ${message.queue}, which is not ${queueName} or ${dlqName}`);
      await journaled.restore(id, message, url);
      if (message.queue === dlqName) restored.deadLettered += 1;
      else restored.queued += 1;
    }
    if (options.journal !== undefined) renameSync(`${options.journal}.new`, options.journal);
    const held = () => {
      if (journal === undefined) return undefined;
      const counts = journal.counts();
      return { queued: counts[queueName] ?? 0, deadLettered: counts[dlqName] ?? 0 };
    };
    return { endpoint, client, queueUrl: queue.url, queueArn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn, restored, journaled: held };
  });
}

export interface LocalBucket {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  client: S3Client;
  bucket: string;
  /** Closes the client and the server; the objects stay in the folder. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver with the bucket of large bodies, keeping its objects in `directory`, so that they
 * outlive a restart as the queue messages naming them do.
 *
 * @example
 * const bucket = await startLocalBucket({ directory: '.relay/s3' });
 * await bucket.client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: 'bodies/x', Body: 'x' }));
 * await bucket.stop();
 */
export async function startLocalBucket(options: { directory: string; bucket?: string; port?: number }): Promise<LocalBucket> {
  const bucket = options.bucket ?? 'relay-bodies';
  const server = new S3rverServer({ address: '127.0.0.1', port: options.port ?? 0, silent: true, directory: options.directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client(localS3ClientConfig(endpoint, LOCAL_REGION));
  return {
    endpoint,
    client,
    bucket,
    stop: async () => {
      client.destroy();
      await server.close();
    },
  };
}

export interface LocalTableOptions {
  /** @default 'relay-idempotency' */
  tableName?: string;
  /** The delivery log's table (lambda/history/deliveryTable.ts). @default 'relay-deliveries' */
  deliveriesTableName?: string;
  /** The folder where dynalite keeps its tables across restarts. @default none: in memory */
  path?: string;
  /** A DynamoDB endpoint that outlives this process: nothing is started, and the table is created there if missing. */
  endpoint?: string;
}

export interface LocalTable {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  deliveriesTableName: string;
  /** Closes the client, and dynalite if this process started it; an in-memory table goes with it. */
  stop(): Promise<void>;
}

/**
 * Starts dynalite (or uses `endpoint`) with the idempotency table and the delivery log's table as
 * the stack makes them: on-demand, keyed by the string `id`, the log with its two indexes.
 * Resolves once both are ACTIVE.
 *
 * @example
 * const table = await startLocalTable();
 * await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: { id: 'x' } }));
 * await table.stop();
 */
export async function startLocalTable(options: LocalTableOptions = {}): Promise<LocalTable> {
  const tableName = options.tableName ?? 'relay-idempotency';
  const deliveriesTableName = options.deliveriesTableName ?? 'relay-deliveries';
  let server: Server | undefined;
  let endpoint = options.endpoint;
  if (endpoint === undefined) {
    server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const client = new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS });
  return stoppable(client, server, () => undefined, async () => {
    await createTableIfMissing(client, { TableName: tableName });
    await createTableIfMissing(client, { TableName: deliveriesTableName, ...DELIVERY_INDEXES });
    return { endpoint, client, documentClient: DynamoDBDocumentClient.from(client), tableName, deliveriesTableName };
  });
}

/**
 * What `ready` resolves to, with `stop()`: destroys the client, closes the server this process
 * started, if any, then calls `stopped`. All are stopped at once if `ready` fails.
 */
async function stoppable<Ready>(
  client: { destroy(): void },
  server: Server | undefined,
  stopped: () => void,
  ready: () => Promise<Ready>,
): Promise<Ready & { stop(): Promise<void> }> {
  const stop = async () => {
    client.destroy();
    if (server) await closeServer(server);
    stopped();
  };
  try {
    return { ...(await ready()), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function queueOf(client: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`the SQS endpoint has no queue ${name}`);
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`the SQS endpoint gave no QueueArn for ${name}`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** The delivery log's indexes, as infra/DeliveryLogTable.ts makes them. */
const DELIVERY_INDEXES: Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'GlobalSecondaryIndexes'> = {
  AttributeDefinitions: [DELIVERY_TABLE.byDay.partitionKey, DELIVERY_TABLE.bySource.partitionKey, DELIVERY_TABLE.byDay.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
  GlobalSecondaryIndexes: [DELIVERY_TABLE.byDay, DELIVERY_TABLE.bySource].map((index) => ({
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...SUMMARY_ATTRIBUTES] },
  })),
};

async function createTableIfMissing(client: DynamoDBClient, table: Pick<CreateTableCommandInput, 'TableName' | 'AttributeDefinitions' | 'GlobalSecondaryIndexes'>): Promise<void> {
  const tableName = table.TableName as string;
  try {
    if ((await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus === 'ACTIVE') return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(
      new CreateTableCommand({
        ...table,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...(table.AttributeDefinitions ?? [])],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  // CreateTable answers CREATING even with createTableMs 0; the table turns ACTIVE on a later tick.
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  while ((await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus !== 'ACTIVE') {
    if (Date.now() > deadline) throw new Error(`the DynamoDB table ${tableName} did not become ACTIVE within ${TABLE_ACTIVE_TIMEOUT_MS / 1000} s`);
    await sleep(10);
  }
}

/** close() alone would wait for keep-alive sockets and for long polls still in flight. */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  server.closeAllConnections();
  await closed;
}
