import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type LocalQueues, startLocalQueues } from '../../../local/localAws';
import { type EventSourceMappingOptions, SqsEventSourceMapping } from '../../../local/SqsEventSourceMapping';

type Handler = EventSourceMappingOptions['handler'];

let sqs: LocalQueues;
let errors: unknown[];

beforeEach(async () => {
  sqs = await startLocalQueues({ maxReceiveCount: 3 });
  errors = [];
});

afterEach(async () => {
  await sqs.stop();
});

/** A mapping on the test queue that answers at once (no long poll) and collects its errors. */
function mappingWith(handler: Handler, options: Partial<EventSourceMappingOptions> = {}): SqsEventSourceMapping {
  return new SqsEventSourceMapping({
    client: sqs.client,
    queueUrl: sqs.queueUrl,
    queueArn: sqs.queueArn,
    handler,
    waitTimeSeconds: 0,
    onError: (error) => errors.push(error),
    ...options,
  });
}

/** A handler that records each batch and answers with `respond`. */
function recordingHandler(respond: (event: SQSEvent) => SQSBatchResponse | void = () => undefined): Handler & { batches: SQSRecord[][] } {
  const batches: SQSRecord[][] = [];
  const handler = async (event: SQSEvent) => {
    batches.push(event.Records);
    return respond(event);
  };
  return Object.assign(handler, { batches });
}

async function sendDeliveries(...bodies: string[]): Promise<string[]> {
  const { Successful = [] } = await sqs.client.send(
    new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl, Entries: bodies.map((MessageBody, index) => ({ Id: String(index), MessageBody })) }),
  );
  return Successful.sort((a, b) => Number(a.Id) - Number(b.Id)).map((entry) => entry.MessageId ?? '');
}

async function depth(queueUrl = sqs.queueUrl): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}

function failing(...bodies: string[]): (event: SQSEvent) => SQSBatchResponse {
  return (event) => ({
    batchItemFailures: event.Records.filter((record) => bodies.includes(record.body)).map((record) => ({ itemIdentifier: record.messageId })),
  });
}

describe('records and context', () => {
  it('gives the handler records shaped exactly as Lambda gives them', async () => {
    const sent = await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl,
        MessageBody: '{"deliveryId":"github:72d3162e"}',
        MessageAttributes: {
          source: { DataType: 'String', StringValue: 'github' },
          signature: { DataType: 'Binary', BinaryValue: Buffer.from('sha256=ab') },
        },
      }),
    );
    const handler = recordingHandler();
    const before = Date.now();

    await expect(mappingWith(handler).pollOnce()).resolves.toEqual({ received: 1, failed: 0 });

    const [record] = handler.batches[0] ?? [];
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"deliveryId":"github:72d3162e"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        source: { stringValue: 'github', stringListValues: [], binaryListValues: [], dataType: 'String' },
        signature: { binaryValue: Buffer.from('sha256=ab').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:relay-deliveries',
      awsRegion: 'us-east-1',
    });
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(before);
  });

  it('gives each invocation a Lambda context with a fresh request id and a deadline', async () => {
    await sendDeliveries('a', 'b');
    const contexts: { context: Context; remainingMs: number }[] = [];
    const mapping = mappingWith(
      async (_event, context) => {
        contexts.push({ context, remainingMs: context.getRemainingTimeInMillis() });
        await sleep(50);
      },
      { batchSize: 1, functionTimeoutMs: 5000, functionName: 'relay-test' },
    );

    await mapping.pollOnce();
    await mapping.pollOnce();

    const [first, second] = contexts;
    expect(first?.context).toMatchObject({
      functionName: 'relay-test',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:relay-test',
      logGroupName: '/aws/lambda/relay-test',
      awsRequestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    expect(second?.context.awsRequestId).not.toBe(first?.context.awsRequestId);
    expect(first?.remainingMs).toBeGreaterThan(4000);
    expect(first?.remainingMs).toBeLessThanOrEqual(5000);
    expect(first?.context.getRemainingTimeInMillis()).toBeLessThanOrEqual((first?.remainingMs ?? 0) - 50);
  });
});

describe('batches', () => {
  it('hands over at most batchSize records per invocation', async () => {
    await sendDeliveries('1', '2', '3', '4', '5');
    const handler = recordingHandler();
    const mapping = mappingWith(handler, { batchSize: 2 });

    await mapping.drain(5000);

    expect(handler.batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(handler.batches.flat().map((record) => record.body).sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it.each<[string, SQSBatchResponse | void]>([
    ['nothing', undefined],
    ['an empty batchItemFailures', { batchItemFailures: [] }],
  ])('deletes the whole batch when the handler returns %s', async (_case, response) => {
    await sendDeliveries('a', 'b', 'c');

    await expect(mappingWith(recordingHandler(() => response)).pollOnce()).resolves.toEqual({ received: 3, failed: 0 });

    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(errors).toEqual([]);
  });
});

describe('failures', () => {
  it('deletes all but the reported failures, which reappear after their visibility timeout', async () => {
    const [, failedId] = await sendDeliveries('a', 'b', 'c');
    const handler = recordingHandler((event) => (event.Records[0]?.attributes.ApproximateReceiveCount === '1' ? failing('b')(event) : undefined));
    const mapping = mappingWith(handler, { visibilityTimeoutSeconds: 1 });

    await expect(mapping.pollOnce()).resolves.toEqual({ received: 3, failed: 1 });
    expect((await depth()).inFlight).toBe(1);
    await expect(mapping.pollOnce()).resolves.toEqual({ received: 0, failed: 0 });

    await mapping.drain(5000);

    expect(handler.batches[1]?.map((record) => [record.messageId, record.body, record.attributes.ApproximateReceiveCount])).toEqual([
      [failedId, 'b', '2'],
    ]);
    expect(errors).toEqual([]);
  });

  it('redelivers after the visibility timeout the handler set; local-aws-sqs counts that change as a receive', async () => {
    await sendDeliveries('a');
    const handler = recordingHandler();
    const mapping = mappingWith(async (event, context) => {
      await handler(event, context);
      if (handler.batches.length > 1) return;
      const [record] = event.Records;
      await sqs.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: sqs.queueUrl, ReceiptHandle: record?.receiptHandle, VisibilityTimeout: 1 }));
      return { batchItemFailures: [{ itemIdentifier: record?.messageId ?? '' }] };
    });

    await expect(mapping.pollOnce()).resolves.toEqual({ received: 1, failed: 1 });
    await mapping.drain(5000);

    expect(handler.batches.map((batch) => batch[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '3']);
  });

  it('deletes nothing when the handler throws, and reports the error', async () => {
    await sendDeliveries('a', 'b');
    const failure = new Error('Code Stream is down');

    await expect(mappingWith(async () => Promise.reject(failure)).pollOnce()).resolves.toEqual({ received: 2, failed: 2 });

    expect((await depth()).inFlight).toBe(2);
    expect(errors).toEqual([failure]);
  });

  it.each<[string, unknown]>([
    ['an itemIdentifier not in the batch', { itemIdentifier: '00000000-0000-4000-8000-000000000000' }],
    ['an empty itemIdentifier', { itemIdentifier: '' }],
    ['no itemIdentifier', { messageId: 'x' }],
  ])('fails the whole batch for %s', async (_case, failure) => {
    await sendDeliveries('a', 'b');
    // Typed handlers cannot answer this; a handler in plain JavaScript can.
    const handler = (async () => ({ batchItemFailures: [failure] })) as unknown as Handler;

    await expect(mappingWith(handler).pollOnce()).resolves.toEqual({ received: 2, failed: 2 });

    expect((await depth()).inFlight).toBe(2);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('failed its whole batch') })]);
  });

  it('fails the whole batch when the handler outlives the function timeout', async () => {
    await sendDeliveries('a');

    const result = await mappingWith(() => sleep(300), { functionTimeoutMs: 100 }).pollOnce();

    expect(result).toEqual({ received: 1, failed: 1 });
    expect((await depth()).inFlight).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('timed out after 100 ms') })]);
  });

  it('lets the queue redrive a message to the DLQ after maxReceiveCount receives', async () => {
    const [messageId] = await sendDeliveries('poison');
    const handler = recordingHandler();
    const mapping = mappingWith(
      async (event, context) => {
        await handler(event, context);
        throw new Error('rejected');
      },
      { visibilityTimeoutSeconds: 1 },
    );

    const deadline = Date.now() + 8000;
    while ((await depth(sqs.dlqUrl)).visible === 0 && Date.now() < deadline) await mapping.pollOnce();

    expect(handler.batches.map((batch) => batch[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.dlqUrl, MessageSystemAttributeNames: ['All'], AttributeNames: ['All'] }),
    );
    expect(Messages).toEqual([
      expect.objectContaining({ MessageId: messageId, Body: 'poison', Attributes: expect.objectContaining({ DeadLetterQueueSourceArn: sqs.queueArn }) }),
    ]);
  });
});

describe('start and stop', () => {
  it('stops only after the cycle in flight has finished and deleted its records', async () => {
    await sendDeliveries('a');
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let invoked = () => {};
    const invocation = new Promise<void>((resolve) => (invoked = resolve));
    const handler = recordingHandler();
    const mapping = mappingWith(async (event, context) => {
      invoked();
      await handler(event, context);
      await gate;
    });

    mapping.start();
    await invocation;
    let stopped = false;
    const stopping = mapping.stop().then(() => (stopped = true));
    await sleep(100);
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    await sendDeliveries('after stop');
    await sleep(100);
    expect(await depth()).toEqual({ visible: 1, inFlight: 0 });
    expect(handler.batches).toHaveLength(1);
  });

  it('reports a failing poll and goes on until stopped', async () => {
    const mapping = mappingWith(async () => undefined, { queueUrl: `${sqs.endpoint}/123456789012/no-such-queue` });

    mapping.start();
    while (errors.length === 0) await sleep(10);
    await mapping.stop();

    expect(errors[0]).toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
