import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { Readable } from 'node:stream';
import { type ISqsServerOptions, createRequestHandler } from 'local-aws-sqs';
import type { JournaledAttributes, JournaledMessage, QueueJournal } from './QueueJournal';

/** Operations that would change the queues in ways the journal does not follow; nothing of the relay uses them. */
const REFUSED = new Set(['StartMessageMoveTask', 'CancelMessageMoveTask', 'DeleteQueue']);

/** What a client of the Query protocol may do: read, since its changes are not journaled. */
const READ_ONLY = new Set(['GetQueueUrl', 'GetQueueAttributes', 'ListQueues', 'ListQueueTags', 'ListDeadLetterSourceQueues']);

/** What local-aws-sqs wrote as its answer, held until the journal has the change. */
interface Answer {
  statusCode: number;
  headers: Record<string, string | number | readonly string[]>;
  body: string;
}

type Json = Record<string, unknown>;

export interface JournaledSqsServer {
  server: Server;
  /**
   * Queues a message the journal of an earlier run held, under the id it had there: SQS never
   * changes a message's id, and the relay's idempotency claims name it.
   */
  restore(id: string, message: JournaledMessage, queueUrl: string): Promise<void>;
}

/**
 * local-aws-sqs behind a write-ahead log: each request goes to the emulator, and the changes it
 * acknowledged (sends, deletes, visibility changes, moves to the DLQ, purges) are written to
 * `journal` before the client gets the answer. A change the journal cannot record is answered
 * with SQS's InternalError instead, so no client is told of a change that would not survive.
 * Only the JSON protocol, which the AWS SDK v3 speaks, is accepted for a change.
 */
export function createJournaledSqsServer(options: ISqsServerOptions, journal: QueueJournal): JournaledSqsServer {
  const { requestHandler } = createRequestHandler(options);
  // Receipt handles are the emulator's; the journal knows messages by id.
  const receipts = new Map<string, string>();
  // The emulator's id of a restored message → the id it had when first sent.
  const originalIds = new Map<string, string>();
  const server = createServer((request, response) => {
    void serve(request, response).catch((error: Error) => answer(response, internalError(`the local queue failed: ${error.message}`)));
  });
  return { server, restore };

  async function restore(id: string, message: JournaledMessage, queueUrl: string): Promise<void> {
    // SQS delays a message 15 minutes at most; a longer visibility change is cut to that.
    const delaySeconds = Math.min(900, Math.max(0, Math.ceil((message.visibleAt - Date.now()) / 1000)));
    const send = { QueueUrl: queueUrl, MessageBody: message.body, MessageAttributes: message.attributes, DelaySeconds: delaySeconds };
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' };
    const sent = await emulated({ headers, method: 'POST', url: '/' } as unknown as IncomingMessage, Buffer.from(JSON.stringify(send)));
    if (sent.statusCode !== 200) throw new Error(`the local queue refused a message of the journal: ${sent.body}`);
    originalIds.set(String(parseJson(Buffer.from(sent.body)).MessageId), id);
    journal.record({ op: 'send', id, ...message });
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = /^AmazonSQS\.(\w+)$/.exec(String(request.headers['x-amz-target'] ?? ''))?.[1];
    if (target === undefined) {
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
      if (!READ_ONLY.has(action)) return answer(response, clientError(`${action || 'this request'} needs the JSON protocol in local mode, whose queues are journaled`));
      return answer(response, await emulated(request, body));
    }
    if (REFUSED.has(target)) return answer(response, clientError(`${target} is not available in local mode, whose queues are journaled`));
    const parsed = parseJson(body);
    const emulatorAnswer = await emulated(request, body);
    if (emulatorAnswer.statusCode !== 200) return answer(response, emulatorAnswer);
    const result = parseJson(Buffer.from(emulatorAnswer.body));
    try {
      record(target, parsed, result);
    } catch (error) {
      return answer(response, internalError(`the change could not be written to the local queue journal: ${(error as Error).message}`));
    }
    answer(response, target === 'ReceiveMessage' && originalIds.size > 0 ? { ...emulatorAnswer, body: JSON.stringify(result) } : emulatorAnswer);
  }

  /** The emulator's answer to the request, its body read from `body`. */
  async function emulated(request: IncomingMessage, body: Buffer): Promise<Answer> {
    const replay = Object.assign(Readable.from(body.length > 0 ? [body] : []), { headers: request.headers, method: request.method, url: request.url });
    const captured: Answer = { statusCode: 200, headers: {}, body: '' };
    const capture = {
      get statusCode() {
        return captured.statusCode;
      },
      set statusCode(status: number) {
        captured.statusCode = status;
      },
      setHeader(name: string, value: string | number | readonly string[]) {
        captured.headers[name] = value;
        return capture;
      },
      end(chunk?: string | Buffer) {
        captured.body = chunk === undefined ? '' : chunk.toString();
        return capture;
      },
    };
    await requestHandler(replay as unknown as IncomingMessage, capture as unknown as ServerResponse);
    return captured;
  }

  function record(target: string, request: Json, result: Json): void {
    const queue = queueName(request.QueueUrl);
    const now = Date.now();
    switch (target) {
      case 'SendMessage':
        journal.record({ op: 'send', id: String(result.MessageId), ...sent(queue, request, now) });
        break;
      case 'SendMessageBatch': {
        const entries = new Map(list(request.Entries).map((entry) => [entry.Id, entry]));
        for (const success of list(result.Successful)) {
          const entry = entries.get(success.Id);
          if (entry) journal.record({ op: 'send', id: String(success.MessageId), ...sent(queue, entry, now) });
        }
        break;
      }
      case 'ReceiveMessage':
        for (const message of list(result.Messages)) {
          const id = originalIds.get(String(message.MessageId)) ?? String(message.MessageId);
          // The client sees the id the message was first sent with (the answer is written from `result`).
          message.MessageId = id;
          receipts.set(String(message.ReceiptHandle), id);
          const known = journal.queueOf(id);
          if (known !== undefined && known !== queue) journal.record({ op: 'move', id, queue });
        }
        break;
      case 'DeleteMessage':
        deleted(request.ReceiptHandle);
        break;
      case 'DeleteMessageBatch': {
        const handles = new Map(list(request.Entries).map((entry) => [entry.Id, entry.ReceiptHandle]));
        for (const success of list(result.Successful)) deleted(handles.get(success.Id));
        break;
      }
      case 'ChangeMessageVisibility':
        visibility(request.ReceiptHandle, request.VisibilityTimeout, now);
        break;
      case 'ChangeMessageVisibilityBatch': {
        const entries = new Map(list(request.Entries).map((entry) => [entry.Id, entry]));
        for (const success of list(result.Successful)) visibility(entries.get(success.Id)?.ReceiptHandle, entries.get(success.Id)?.VisibilityTimeout, now);
        break;
      }
      case 'PurgeQueue':
        journal.record({ op: 'purge', queue });
        break;
    }
  }

  function deleted(handle: unknown): void {
    const id = receipts.get(String(handle));
    if (id === undefined) return;
    receipts.delete(String(handle));
    journal.record({ op: 'delete', id });
  }

  function visibility(handle: unknown, seconds: unknown, now: number): void {
    const id = receipts.get(String(handle));
    if (id !== undefined) journal.record({ op: 'visibility', id, visibleAt: now + Number(seconds ?? 0) * 1000 });
  }
}

function sent(queue: string, entry: Json, now: number) {
  return {
    queue,
    body: String(entry.MessageBody ?? ''),
    attributes: (entry.MessageAttributes ?? {}) as JournaledAttributes,
    visibleAt: now + Number(entry.DelaySeconds ?? 0) * 1000,
  };
}

/** The queue's name: the last segment of its URL. */
function queueName(url: unknown): string {
  return String(url ?? '').split('/').filter(Boolean).at(-1) ?? '';
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function parseJson(body: Buffer): Json {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as Json) : {};
  } catch {
    return {};
  }
}

function answer(response: ServerResponse, { statusCode, headers, body }: Answer): void {
  if (response.headersSent) return;
  response.writeHead(statusCode, headers as Record<string, string>);
  response.end(body);
}

/** SQS's answers in the JSON protocol, which the SDK reads by their `__type` and header. */
function internalError(message: string): Answer {
  return jsonError(500, 'InternalError', 'com.amazonaws.sqs#InternalError', message);
}

function clientError(message: string): Answer {
  return jsonError(400, 'UnsupportedOperation', 'com.amazonaws.sqs#UnsupportedOperation', message);
}

function jsonError(statusCode: number, code: string, type: string, message: string): Answer {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};${statusCode >= 500 ? 'Receiver' : 'Sender'}` },
    body: JSON.stringify({ __type: type, message }),
  };
}
