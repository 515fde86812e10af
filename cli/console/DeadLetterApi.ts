import { deliveryRecordId } from '../../lambda/history/DeliveryRecord';
import { withTextBody } from '../../lambda/events/RelayMessage';
import { DEAD_LETTER_ATTRIBUTES } from '../../lambda/relay/DeadLetterQueue';
import { BodyHistory, withBodyHistory } from '../BodyHistory';
import type { DeadLetter } from '../DeadLetter';
import type { DeliveryHistoryReader } from '../history/DeliveryQuery';
import { loadRelayConfig } from '../loadRelayConfig';
import { decide } from '../printDecisions';
import { replayDeadLetter } from '../replayDeadLetter';
import type { DeadLetterDetail, DeadLetterItem, RedriveAnswer, ReplayAnswer } from './api';
import type { ConsoleQueues } from './ConsoleQueues';
import { HttpError } from './HttpError';

export interface DeadLetterApiOptions {
  history: DeliveryHistoryReader;
  queues: () => Promise<ConsoleQueues>;
  /** The rules a replay runs, read again for each replay: the current ones. */
  configFile: string;
  /** In AWS, the idempotency table a replay tells repeats from. */
  idempotencyTable?: string;
}

/**
 * The console's `/api/dlq` routes: the dead-letter queue as `relay dlq list|show|redrive` and
 * `relay replay` read and change it, one record at a time, by messageId.
 */
export class DeadLetterApi {
  /** The end of the latest queue operation: they run one at a time (see {@link #withQueues}). */
  #latest: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeadLetterApiOptions) {}

  /** Every record, oldest first, with why it is there. */
  async list(): Promise<DeadLetterItem[]> {
    return this.#withQueues(async (queues) => (await queues.readDeadLetters()).map(item));
  }

  /** One record in full, its delivery's body as text, read from S3 where ingress kept it there. */
  async show(messageId: string): Promise<DeadLetterDetail> {
    return this.#withQueues(async (queues) => {
      const record = await find(queues, messageId);
      const message = record.message && withTextBody(await queues.withBody(record.message));
      return { ...item(record), message: message ?? null, body: message ? null : record.body, malformed: record.malformed ?? null };
    });
  }

  /**
   * Sends the record back to the main queue, as `relay dlq redrive` does, and counts the redrive
   * in the delivery log. A redrive the log cannot count still happened: the answer says both.
   * @throws HttpError 502 when the record could not be sent or deleted.
   */
  async redrive(messageId: string): Promise<RedriveAnswer> {
    const { record, result } = await this.#withQueues(async (queues) => {
      const found = await find(queues, messageId);
      const [outcome] = await queues.redrive([found]);
      return { record: found, result: outcome };
    });
    if (result?.error !== undefined) throw new HttpError(502, 'redrive_failed', `not redriven ${messageId}: ${result.error}`);
    const answer: RedriveAnswer = { messageId, deliveryId: record.deliveryId ?? null, sentAs: result?.sentAs ?? null, historyMarked: false };
    if (record.message === undefined) return { ...answer, historyError: 'the record holds no relay message: the log does not know its delivery' };
    try {
      await this.options.history.markRedriven(record.message.source, record.message.deliveryId);
      return { ...answer, historyMarked: true };
    } catch (error) {
      return { ...answer, historyError: `the delivery log (${this.options.history.origin}) did not count it: ${(error as Error).message}` };
    }
  }

  /**
   * A dry run of the record's delivery through the current rules, as `relay replay` does,
   * beside the decisions the delivery log recorded for it. Nothing is sent.
   */
  async replay(messageId: string): Promise<ReplayAnswer> {
    const loaded = loadRelayConfig(this.options.configFile);
    const replayed = await this.#withQueues(async (queues) => {
      const record = await find(queues, messageId);
      // The idempotency table tells a repeat, as for relay replay: local mode's, or in AWS the one named.
      const { idempotencyTable } = this.options;
      const bodies = queues.localState ? BodyHistory.ofLocalMode(queues.localState) : idempotencyTable === undefined ? undefined : BodyHistory.inAws(idempotencyTable);
      return withBodyHistory(bodies, (history) => replayDeadLetter(record, queues, loaded, history));
    });
    const { message, deliveries, repeatOf, supersessions } = replayed;
    const recordId = deliveryRecordId(message.source, message.deliveryId);
    const recorded = await this.options.history.get(recordId);
    return {
      messageId,
      deliveryId: message.deliveryId,
      recordId,
      repeatOf: repeatOf ?? null,
      current: decide(loaded.engine, deliveries, supersessions),
      recorded: recorded?.decisions ?? null,
    };
  }

  /**
   * Opens the queues for one operation and closes them after it. Operations run one at a time:
   * a read hides the records it received until it closes, so a second read at once would find
   * the queue empty.
   */
  async #withQueues<T>(use: (queues: ConsoleQueues) => Promise<T>): Promise<T> {
    const run = async () => {
      const queues = await this.options.queues();
      try {
        return await use(queues);
      } finally {
        await queues.close();
      }
    };
    const result = this.#latest.then(run, run);
    this.#latest = result.catch(() => undefined);
    return result;
  }
}

/** @throws HttpError 404 when no record has the messageId. */
async function find(queues: ConsoleQueues, messageId: string): Promise<DeadLetter> {
  const record = (await queues.readDeadLetters()).find((candidate) => candidate.messageId === messageId);
  if (record === undefined) throw new HttpError(404, 'not_found', `no record in the dead-letter queue has the messageId ${messageId}`);
  return record;
}

function item(record: DeadLetter): DeadLetterItem {
  return {
    messageId: record.messageId,
    deliveryId: record.deliveryId ?? null,
    source: record.message?.source ?? null,
    eventKind: record.message?.eventKind ?? null,
    attributes: record.attributes,
    sentAt: record.sentAt ?? null,
    summary: summary(record.attributes),
  };
}

/** What `relay dlq list` says of a record, on one line: `rule → pipeline: outcome, status, attempts: reason`. */
function summary(attributes: Record<string, string>): string {
  const { rule, pipeline, outcome, status, attempts, reason } = DEAD_LETTER_ATTRIBUTES;
  // The relay always says why; a record without an outcome was moved by the main queue's redrive policy.
  if (attributes[outcome] === undefined) return 'moved by the queue after too many receives (the relay crashed or timed out on it)';
  const count = attributes[attempts];
  const facts = [
    attributes[outcome],
    attributes[status] === undefined ? undefined : `status ${attributes[status]}`,
    count === undefined ? undefined : `${count} attempt${count === '1' ? '' : 's'}`,
  ];
  const target = attributes[rule] === undefined ? '' : `${attributes[rule]}${attributes[pipeline] === undefined ? '' : ` → ${attributes[pipeline]}`}: `;
  return `${target}${facts.filter((fact) => fact !== undefined).join(', ')}${attributes[reason] === undefined ? '' : `: ${attributes[reason]}`}`;
}
