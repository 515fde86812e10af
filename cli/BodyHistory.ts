import { hash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ExecutionKey, IdempotencyStore } from '../lambda/relay/IdempotencyStore';
import { LOCAL_CREDENTIALS, type LocalState } from '../local/LocalState';
import { CommandError } from './errors';

/** The parseArgs option naming the relay's idempotency table in AWS. */
export const TABLE_OPTION = { table: { type: 'string' } } as const;

/** As lambda/relay/processRecord.ts: a source without `replayWindowHours` has a day's window. */
const DEFAULT_REPLAY_WINDOW_HOURS = 24;

/**
 * The relay's idempotency table, read only: whether a source sent a body before under another
 * delivery id, so that the relay takes the delivery for a repeat of that first one (issue #14),
 * and whether a newer event superseded one in its rule's quiet period.
 */
export class BodyHistory {
  private constructor(
    private readonly client: DynamoDBClient,
    private readonly store: IdempotencyStore,
    /** The table and where it is, for error messages. */
    private readonly origin: string,
  ) {}

  /** The table in AWS, with the SDK's default credentials and region. */
  static inAws(tableName: string): BodyHistory {
    return BodyHistory.#open(new DynamoDBClient({}), tableName, `the table ${tableName}`);
  }

  /** Local mode's table; undefined when its local.json names none (written by an earlier version). */
  static ofLocalMode(state: LocalState): BodyHistory | undefined {
    const { dynamodbEndpoint: endpoint, idempotencyTable: tableName } = state;
    if (endpoint === undefined || tableName === undefined) return undefined;
    const client = new DynamoDBClient({ endpoint, region: state.region, credentials: LOCAL_CREDENTIALS });
    return BodyHistory.#open(client, tableName, `local mode's table ${tableName} at ${endpoint}`);
  }

  static #open(client: DynamoDBClient, tableName: string, origin: string): BodyHistory {
    return new BodyHistory(client, new IdempotencyStore({ client: DynamoDBDocumentClient.from(client), tableName, leaseMs: 0 }), origin);
  }

  /**
   * The delivery whose repeat `deliveryId` is: the one in which `source` first sent these body
   * bytes (the body as queued), within the source's replay window; undefined when it is none.
   * @throws CommandError when the table cannot be read.
   */
  async repeatOf(source: string, body: Buffer, deliveryId: string, windowHours: number | undefined): Promise<string | undefined> {
    if ((windowHours ?? DEFAULT_REPLAY_WINDOW_HOURS) <= 0) return undefined;
    let first: string | undefined;
    try {
      first = await this.store.seenBody(source, hash('sha256', body, 'hex'));
    } catch (error) {
      throw unreadable(this.origin, error);
    }
    return first === deliveryId ? undefined : first;
  }

  /**
   * The delivery that superseded the event in the rule's quiet period, as the relay recorded it;
   * undefined when it recorded no such decision.
   * @throws CommandError when the table cannot be read.
   */
  async supersededBy(key: ExecutionKey): Promise<string | undefined> {
    try {
      const record = await this.store.get(key);
      return record?.status === 'superseded' ? record.supersededBy : undefined;
    } catch (error) {
      throw unreadable(this.origin, error);
    }
  }

  close(): void {
    this.client.destroy();
  }
}

function unreadable(origin: string, error: unknown): CommandError {
  const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new CommandError(`cannot read the idempotency records in ${origin}: ${described}`, { cause: error });
}

/** Lets `use` read the history, if there is one, then closes its client. */
export async function withBodyHistory<T>(history: BodyHistory | undefined, use: (history: BodyHistory | undefined) => Promise<T>): Promise<T> {
  try {
    return await use(history);
  } finally {
    history?.close();
  }
}

/** What `relay test` and `relay replay` print before the decisions of a repeat. */
export function repeatLine(deliveryId: string, first: string): string {
  return `delivery ${deliveryId} is a repeat of delivery ${first}: rules whose execution ${first} created will not run again\n`;
}
