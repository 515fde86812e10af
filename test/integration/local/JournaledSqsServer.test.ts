import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createJournaledSqsServer } from '../../../local/JournaledSqsServer';
import { LOCAL_CREDENTIALS } from '../../../local/LocalState';
import { LOCAL_REGION, type LocalQueues, startLocalQueues } from '../../../local/localAws';
import { QueueJournal, readJournal } from '../../../local/QueueJournal';
import { until } from '../../support/until';

let folder: string;
let journal: string;
const running: LocalQueues[] = [];

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'relay-journal-'));
  journal = path.join(folder, 'queues.journal');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((queues) => queues.stop()));
  rmSync(folder, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startLocalQueues>[0] = {}): Promise<LocalQueues> {
  const queues = await startLocalQueues({ journal, ...options });
  running.push(queues);
  return queues;
}

/** A stop that cleans nothing up, as a kill leaves things: the journal is what was flushed. */
async function killed(queues: LocalQueues): Promise<void> {
  running.splice(running.indexOf(queues), 1);
  await queues.stop();
}

/** `visibilitySeconds` 0 leaves them visible to the next receive. */
async function receiveAll(queues: LocalQueues, queueUrl: string, visibilitySeconds?: number): Promise<Message[]> {
  const { Messages = [] } = await queues.client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0, VisibilityTimeout: visibilitySeconds }),
  );
  return Messages;
}

async function depth(queues: LocalQueues, queueUrl: string): Promise<Record<string, string>> {
  const { Attributes = {} } = await queues.client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return Attributes;
}

const send = (queues: LocalQueues, body: string, queueUrl = queues.queueUrl) =>
  queues.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: { deliveryId: { DataType: 'String', StringValue: `id-${body}` } } }));

describe('queues with a journal', () => {
  it('come back after a stop as they were: what was not deleted, under its id, with its attributes', async () => {
    const first = await start();
    const sent = await Promise.all(['a', 'b', 'c'].map((body) => send(first, body)));
    const [deleted] = await first.client.send(new ReceiveMessageCommand({ QueueUrl: first.queueUrl, MaxNumberOfMessages: 1 })).then((answer) => answer.Messages ?? []);
    await first.client.send(new DeleteMessageCommand({ QueueUrl: first.queueUrl, ReceiptHandle: deleted?.ReceiptHandle }));
    expect(first.journaled()).toEqual({ queued: 2, deadLettered: 0 });
    await killed(first);

    const second = await start();
    expect(second.restored).toEqual({ queued: 2, deadLettered: 0 });
    const back = await receiveAll(second, second.queueUrl);
    const expected = sent.map((answer) => answer.MessageId).filter((id) => id !== deleted?.MessageId);
    expect(back.map((message) => message.MessageId).sort()).toEqual(expected.sort());
    for (const message of back) expect(message.MessageAttributes?.deliveryId?.StringValue).toBe(`id-${message.Body}`);
  });

  it('keep a message that was in flight, and one waiting out a visibility delay, which stays delayed', async () => {
    const first = await start();
    await send(first, 'in-flight');
    await send(first, 'retrying');
    const received = await receiveAll(first, first.queueUrl);
    const retrying = received.find((message) => message.Body === 'retrying');
    await first.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: first.queueUrl, ReceiptHandle: retrying?.ReceiptHandle, VisibilityTimeout: 120 }));
    await killed(first);

    const second = await start();
    expect((await receiveAll(second, second.queueUrl)).map((message) => message.Body)).toEqual(['in-flight']);
    expect(await depth(second, second.queueUrl)).toMatchObject({ ApproximateNumberOfMessagesDelayed: '1' });
  });

  it('follow batches, the DLQ, and the moves of the redrive policy', async () => {
    const first = await start({ maxReceiveCount: 1 });
    await first.client.send(
      new SendMessageBatchCommand({ QueueUrl: first.queueUrl, Entries: ['x', 'y', 'poison'].map((body) => ({ Id: body, MessageBody: body })) }),
    );
    await send(first, 'dead', first.dlqUrl);
    const batch = (await receiveAll(first, first.queueUrl, 0)).filter((message) => message.Body !== 'poison');
    await first.client.send(new DeleteMessageBatchCommand({ QueueUrl: first.queueUrl, Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
    // Received once and not deleted: the next receive finds it over its limit and moves it.
    await until(async () => {
      await receiveAll(first, first.queueUrl, 0);
      return (await receiveAll(first, first.dlqUrl, 0)).some((message) => message.Body === 'poison');
    });
    await killed(first);

    const second = await start({ maxReceiveCount: 1 });
    expect(second.restored).toEqual({ queued: 0, deadLettered: 2 });
    expect((await receiveAll(second, second.dlqUrl)).map((message) => message.Body).sort()).toEqual(['dead', 'poison']);
  });

  it('survive a restart interrupted while restoring: the old journal stays whole until all are queued again', async () => {
    const first = await start();
    await send(first, 'kept');
    await killed(first);
    writeFileSync(`${journal}.new`, 'left by a kill while restoring\n');

    const second = await start();
    expect((await receiveAll(second, second.queueUrl)).map((message) => message.Body)).toEqual(['kept']);
    expect(existsSync(`${journal}.new`)).toBe(false);
  });

  it('ignore a last line cut short by a kill, and refuse to start on a journal damaged before it', async () => {
    const first = await start();
    await send(first, 'whole');
    await killed(first);
    appendFileSync(journal, '{"op":"send","id":"cut-sh');
    const second = await start();
    expect((await receiveAll(second, second.queueUrl)).map((message) => message.Body)).toEqual(['whole']);
    await killed(second);

    writeFileSync(journal, `not json\n${readFileSync(journal, 'utf8')}`);
    await expect(start()).rejects.toThrow(/queues\.journal, line 1: not a journal entry; move the file away to start with empty queues/);
  });

  it('refuse a change over the Query protocol, which they could not journal', async () => {
    const queues = await start();
    const answer = await fetch(queues.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: 'SendMessage', QueueUrl: queues.queueUrl, MessageBody: 'x' }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('SendMessage needs the JSON protocol in local mode');
    expect(await depth(queues, queues.queueUrl)).toMatchObject({ ApproximateNumberOfMessages: '0' });
  });
});

it('a change the journal cannot write is not acknowledged', async () => {
  const failing = new QueueJournal(journal);
  failing.close();
  const { server } = createJournaledSqsServer({ port: 0, hostname: '127.0.0.1', region: LOCAL_REGION, queues: [{ QueueName: 'q' }] }, failing);
  server.listen(0, '127.0.0.1');
  await until(() => server.listening);
  const address = server.address();
  const client = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  try {
    await expect(client.send(new SendMessageCommand({ QueueUrl: 'http://127.0.0.1/123456789012/q', MessageBody: 'x' }))).rejects.toMatchObject({
      name: 'InternalError',
      message: expect.stringContaining('the change could not be written to the local queue journal'),
    });
    expect(readJournal(journal).size).toBe(0);
  } finally {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
