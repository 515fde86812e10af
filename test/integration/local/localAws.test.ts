import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalQueues, type LocalTable, startLocalQueues, startLocalTable } from '../../../local/localAws';
import { until } from '../../support/until';

const started: { stop(): Promise<void> }[] = [];
const folders: string[] = [];

async function queues(...options: Parameters<typeof startLocalQueues>): Promise<LocalQueues> {
  const queues = await startLocalQueues(...options);
  started.push(queues);
  return queues;
}

async function table(...options: Parameters<typeof startLocalTable>): Promise<LocalTable> {
  const table = await startLocalTable(...options);
  started.push(table);
  return table;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((each) => each.stop()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('startLocalQueues', () => {
  it('makes the queue and its DLQ as the stack does: 1 MiB messages, a redrive policy, the visibility timeout asked for', async () => {
    const local = await queues({ maxReceiveCount: 4, visibilityTimeoutSeconds: 180 });
    const { Attributes } = await local.client.send(new GetQueueAttributesCommand({ QueueUrl: local.queueUrl, AttributeNames: ['All'] }));

    expect(Attributes).toMatchObject({ MaximumMessageSize: '1048576', VisibilityTimeout: '180' });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: local.dlqArn, maxReceiveCount: 4 });
    expect(local.dlqArn).toBe('arn:aws:sqs:us-east-1:123456789012:relay-deliveries-dlq');
  });

  it('takes a message of 1 MiB and refuses a larger one', async () => {
    const local = await queues();
    const send = (bytes: number) => local.client.send(new SendMessageCommand({ QueueUrl: local.queueUrl, MessageBody: 'x'.repeat(bytes) }));

    await expect(send(1_048_576)).resolves.toMatchObject({ MessageId: expect.any(String) });
    await expect(send(1_048_577)).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('moves a message received maxReceiveCount times to the DLQ', async () => {
    const local = await queues({ maxReceiveCount: 2 });
    await local.client.send(new SendMessageCommand({ QueueUrl: local.queueUrl, MessageBody: 'poison' }));
    const receive = (queueUrl: string) => local.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));

    await until(async () => ((await receive(local.queueUrl)).Messages ?? []).length === 0);
    expect((await receive(local.dlqUrl)).Messages?.map((message) => message.Body)).toEqual(['poison']);
  });

  it('opens the queues of an endpoint that outlives it, and stopping closes only its own client', async () => {
    const owner = await queues();
    const guest = await startLocalQueues({ endpoint: owner.endpoint });
    expect({ queueUrl: guest.queueUrl, dlqUrl: guest.dlqUrl }).toEqual({ queueUrl: owner.queueUrl, dlqUrl: owner.dlqUrl });

    await guest.stop();
    await expect(owner.client.send(new SendMessageCommand({ QueueUrl: owner.queueUrl, MessageBody: 'still there' }))).resolves.toBeDefined();
  });

  it('refuses an endpoint without the queues', async () => {
    const owner = await queues({ queueName: 'other-deliveries' });

    await expect(startLocalQueues({ endpoint: owner.endpoint })).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});

describe('startLocalTable', () => {
  it('makes the idempotency table, ACTIVE, keyed by the string id', async () => {
    const local = await table();
    const { Table } = await local.client.send(new DescribeTableCommand({ TableName: local.tableName }));

    expect(Table).toMatchObject({ TableName: 'relay-idempotency', TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] });
  });

  it('keeps the table on disk across restarts, in the folder given', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'relay-dynamodb-'));
    folders.push(folder);
    const first = await startLocalTable({ path: folder });
    await first.documentClient.send(new PutCommand({ TableName: first.tableName, Item: { id: 'delivery|rule', status: 'created' } }));
    await first.stop();

    const second = await table({ path: folder });
    expect((await second.documentClient.send(new GetCommand({ TableName: second.tableName, Key: { id: 'delivery|rule' } }))).Item).toEqual({ id: 'delivery|rule', status: 'created' });
  });

  it('creates the table at an endpoint that lacks it, and uses the one it finds', async () => {
    const owner = await table({ tableName: 'someone-elses' });
    const guest = await table({ endpoint: owner.endpoint });
    await guest.documentClient.send(new PutCommand({ TableName: guest.tableName, Item: { id: 'k' } }));
    const again = await table({ endpoint: owner.endpoint });

    expect(guest.endpoint).toBe(owner.endpoint);
    expect((await again.documentClient.send(new GetCommand({ TableName: 'relay-idempotency', Key: { id: 'k' } }))).Item).toEqual({ id: 'k' });
  });
});
