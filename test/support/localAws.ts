import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createSqsServer } from 'local-aws-sqs';

const REGION = 'us-east-1';
/** The emulators check no signature, but the SDK will not sign without credentials. */
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** dynalite ships no types; this is the part of its API used here. */
type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const dynalite = createRequire(__filename)('dynalite') as Dynalite;

export interface SqsOptions {
  /** The main queue; its DLQ is `<queueName>-dlq`. @default 'relay-deliveries' */
  queueName?: string;
  /** Receives before the queue's redrive policy moves a message to the DLQ. @default 10 */
  maxReceiveCount?: number;
  /** The main queue's VisibilityTimeout. @default 30, SQS's */
  visibilityTimeoutSeconds?: number;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
  /** Closes the client and the server, dropping any long poll in flight. */
  stop(): Promise<void>;
}

/**
 * Starts local-aws-sqs on a free loopback port with a main queue whose RedrivePolicy points at its DLQ.
 *
 * @example
 * const sqs = await startSqs({ maxReceiveCount: 2 });
 * await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: '{}' }));
 * await sqs.stop();
 */
export async function startSqs(options: SqsOptions = {}): Promise<LocalSqs> {
  const queueName = options.queueName ?? 'relay-deliveries';
  const dlqName = `${queueName}-dlq`;
  const server = await createSqsServer({
    port: 0,
    hostname: '127.0.0.1',
    // Without it, local-aws-sqs takes the region for its ARNs from AWS_REGION.
    region: REGION,
    queues: [
      { QueueName: dlqName },
      {
        QueueName: queueName,
        Attributes: {
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 30,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${REGION}:123456789012:${dlqName}`,
            maxReceiveCount: options.maxReceiveCount ?? 10,
          }),
        },
      },
    ],
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({ region: REGION, endpoint, credentials: CREDENTIALS });
  const stop = async () => {
    client.destroy();
    await closeServer(server);
  };
  try {
    const [queue, dlq] = await Promise.all([queueOf(client, queueName), queueOf(client, dlqName)]);
    return { endpoint, client, queueUrl: queue.url, queueArn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface DynaliteOptions {
  /** @default 'relay-idempotency' */
  tableName?: string;
}

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** Closes the client and the server; the in-memory tables go with it. */
  stop(): Promise<void>;
}

/**
 * Starts dynalite, in memory, on a free loopback port with an on-demand table keyed by `id` (S), ACTIVE.
 *
 * @example
 * const dynamo = await startDynalite();
 * await dynamo.documentClient.send(new GetCommand({ TableName: dynamo.tableName, Key: { id: 'x' } }));
 * await dynamo.stop();
 */
export async function startDynalite(options: DynaliteOptions = {}): Promise<LocalDynamoDb> {
  const tableName = options.tableName ?? 'relay-idempotency';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ region: REGION, endpoint, credentials: CREDENTIALS });
  const stop = async () => {
    client.destroy();
    await closeServer(server);
  };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await activeTable(client, tableName);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, client, documentClient: DynamoDBDocumentClient.from(client), tableName, stop };
}

async function queueOf(client: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`local-aws-sqs has no queue ${name}`);
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`local-aws-sqs gave no QueueArn for ${name}`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** CreateTable answers CREATING even with createTableMs 0; the table turns ACTIVE on a later tick. */
async function activeTable(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await sleep(10);
  }
  throw new Error(`dynalite table ${tableName} did not become ACTIVE`);
}

/** close() alone would wait for keep-alive sockets and for long polls still in flight. */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  server.closeAllConnections();
  await closed;
}
