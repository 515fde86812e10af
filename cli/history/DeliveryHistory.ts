import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type DeliveryRecord, type DeliverySummary, type RuleDecision, deliveryRecordId } from '../../lambda/history/DeliveryRecord';
import { DEFAULT_RETENTION_DAYS, DELIVERY_TABLE, SUMMARY_ATTRIBUTES, dayOf } from '../../lambda/history/deliveryTable';
import { LOCAL_CREDENTIALS, type LocalState, readLocalState, stateDirectory } from '../../local/LocalState';
import { CommandError } from '../errors';
import type { DeliveryHistoryReader, DeliveryPage, DeliveryQuery } from './DeliveryQuery';

/** The parseArgs options that say where the delivery log is; commands spread them into their own. */
export const HISTORY_OPTIONS = {
  'state-dir': { type: 'string' },
  'deliveries-table': { type: 'string' },
} as const;

export const HISTORY_OPTIONS_USAGE = `HISTORY: the running local mode's log (--state-dir DIR, else $RELAY_STATE_DIR, else ./.relay), or in AWS
  (the SDK's default credentials and region) --deliveries-table NAME (the stack's DeliveriesTableName output)`;

export type HistoryFlags = Partial<Record<keyof typeof HISTORY_OPTIONS, string>>;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
/** Items a query reads per request: a filter may leave few of them, and each request costs a round trip. */
const READ_PER_QUERY = 200;
const DAY_MS = 86_400_000;

/** Where a page stopped: the index partition being read and the last item shown there. */
interface Cursor {
  day?: string;
  key?: Record<string, unknown>;
}

/**
 * The delivery log (lambda/history) as the operator reads it: local mode's table by default, else
 * `--deliveries-table NAME` in AWS with the SDK's default credentials.
 * @throws CommandError when local mode is not running, or ran an earlier version without the log.
 */
export function openDeliveryHistory(flags: HistoryFlags): DeliveryHistoryReader {
  const table = flags['deliveries-table'];
  if (table !== undefined && flags['state-dir'] !== undefined) {
    throw new CommandError('--state-dir names local mode\'s log and --deliveries-table one in AWS: give one of them');
  }
  if (table !== undefined) return historyInAws(table);
  let state: LocalState;
  try {
    state = readLocalState(flags['state-dir'] === undefined ? stateDirectory() : flags['state-dir']);
  } catch (error) {
    throw new CommandError(`${(error as Error).message}; in AWS, name the log with --deliveries-table NAME`, { cause: error });
  }
  const history = historyOfLocalMode(state);
  if (history === undefined) throw new CommandError('the running local relay keeps no delivery log (it is an earlier version): restart it with npm start');
  return history;
}

/** The log of a table in AWS, with the SDK's default credentials and region. */
export function historyInAws(table: string): DeliveryHistoryReader {
  return new DeliveryHistory(DynamoDBDocumentClient.from(new DynamoDBClient({})), table, `the table ${table}`);
}

/** Local mode's log; undefined for a local mode of an earlier version, which kept none. */
export function historyOfLocalMode(state: LocalState): DeliveryHistoryReader | undefined {
  const { dynamodbEndpoint: endpoint, deliveriesTable } = state;
  if (endpoint === undefined || deliveriesTable === undefined) return undefined;
  const client = new DynamoDBClient({ endpoint, region: state.region, credentials: LOCAL_CREDENTIALS });
  return new DeliveryHistory(DynamoDBDocumentClient.from(client), deliveriesTable, `local mode's table ${deliveriesTable} at ${endpoint}`);
}

/**
 * Reads the log with queries only, never a scan: newest first from the by-source index, or from
 * the by-day index a day at a time back to `since`. Filters on status, rule and outcome are
 * applied by DynamoDB to the index's small items.
 */
export class DeliveryHistory implements DeliveryHistoryReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    readonly origin: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(query: DeliveryQuery): Promise<DeliveryPage> {
    const limit = Math.min(MAX_LIMIT, Math.max(1, query.limit ?? DEFAULT_LIMIT));
    const cursor = decodeCursor(query.cursor);
    const since = (query.since ?? new Date(this.now().getTime() - DEFAULT_RETENTION_DAYS * DAY_MS)).toISOString();
    const filter = filterOf(query);
    const items: DeliverySummary[] = [];
    // By source: one partition. By day: from tomorrow (clocks differ) back to the day of `since`.
    const partitions =
      query.source !== undefined
        ? [undefined]
        : daysBetween(cursor.day ?? dayOf(new Date(this.now().getTime() + DAY_MS).toISOString()), dayOf(since));
    let startKey = cursor.key;
    for (const day of partitions) {
      const index = day === undefined ? DELIVERY_TABLE.bySource : DELIVERY_TABLE.byDay;
      for (;;) {
        const input: QueryCommandInput = {
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#pk = :pk AND #at >= :since',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#at': index.sortKey, ...filter.names },
          ExpressionAttributeValues: { ':pk': day ?? query.source, ':since': since, ...filter.values },
          ScanIndexForward: false,
          Limit: READ_PER_QUERY,
          ExclusiveStartKey: startKey,
          FilterExpression: filter.expression,
        };
        const { Items = [], LastEvaluatedKey } = await this.client.send(new QueryCommand(input));
        for (const item of Items) {
          items.push(summaryOf(item));
          if (items.length === limit) {
            const more = item !== Items[Items.length - 1] || LastEvaluatedKey !== undefined || day !== partitions[partitions.length - 1];
            return { items, cursor: more ? encodeCursor({ day, key: keyOf(item, index) }) : undefined };
          }
        }
        if (LastEvaluatedKey === undefined) break;
        startKey = LastEvaluatedKey;
      }
      startKey = undefined;
    }
    return { items };
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { id } }));
    return Item === undefined ? undefined : recordOf(Item);
  }

  async markRedriven(source: string, deliveryId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: deliveryRecordId(source, deliveryId) },
          UpdateExpression: 'ADD redrives :one',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      // A delivery the log no longer has (expired) has nothing to count.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  close(): void {
    this.client.destroy();
  }
}

/** The status, rule and outcome conditions, for DynamoDB to apply to what the index reads. */
function filterOf(query: DeliveryQuery): { expression?: string; names: Record<string, string>; values: Record<string, unknown> } {
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (query.status !== undefined) {
    names['#status'] = 'status';
    if (query.status === 'accepted') conditions.push('#status BETWEEN :ok AND :okLast');
    else if (query.status === 'refused') conditions.push('#status >= :refusedFrom');
    else conditions.push('#status = :status');
    if (query.status === 'accepted') Object.assign(values, { ':ok': 200, ':okLast': 299 });
    else if (query.status === 'refused') values[':refusedFrom'] = 400;
    else values[':status'] = query.status;
  }
  if (query.rule !== undefined) {
    names['#rules'] = 'rules';
    values[':rule'] = query.rule;
    conditions.push('contains(#rules, :rule)');
  }
  if (query.outcome !== undefined) {
    names['#outcomes'] = 'outcomes';
    values[':outcome'] = query.outcome;
    conditions.push('contains(#outcomes, :outcome)');
  }
  return { expression: conditions.length > 0 ? conditions.join(' AND ') : undefined, names, values };
}

/** The UTC days from `first` back to `last`, both included. */
function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let time = Date.parse(first); time >= Date.parse(last); time -= DAY_MS) days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

/** What ExclusiveStartKey needs to go on after an item of an index: the table's key and the index's. */
function keyOf(item: Record<string, unknown>, index: { partitionKey: string; sortKey: string }): Record<string, unknown> {
  return { id: item.id, [index.partitionKey]: item[index.partitionKey], [index.sortKey]: item[index.sortKey] };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** @throws CommandError for a cursor this log did not give. */
function decodeCursor(text: string | undefined): Cursor {
  if (text === undefined) return {};
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor === 'object' && cursor !== null && (cursor.day === undefined || /^\d{4}-\d{2}-\d{2}$/.test(cursor.day))) return cursor;
  } catch {
    // Reported below.
  }
  throw new CommandError('the cursor is not one a list of this log gave: start again without it');
}

function summaryOf(item: Record<string, unknown>): DeliverySummary {
  const summary: Record<string, unknown> = { id: item.id, source: item.source };
  for (const name of SUMMARY_ATTRIBUTES) {
    const value = item[name];
    if (value === undefined) continue;
    // The messages that carried the delivery are counted: their ids say nothing to an operator.
    if (name === 'messageIds') summary.receipts = (value as Set<string>).size;
    else summary[name] = value instanceof Set ? [...value].sort() : value;
  }
  return summary as unknown as DeliverySummary;
}

function recordOf(item: Record<string, unknown>): DeliveryRecord {
  const record = summaryOf(item) as DeliveryRecord;
  for (const name of ['headers', 'query', 'body', 'bodyOmitted', 'eventsOmitted'] as const) {
    if (item[name] !== undefined) (record as unknown as Record<string, unknown>)[name] = item[name];
  }
  if (typeof item.eventsJson === 'string') record.events = JSON.parse(item.eventsJson) as DeliveryRecord['events'];
  const decisions: RuleDecision[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(DELIVERY_TABLE.decisionPrefix) || typeof value !== 'string') continue;
    const decision = JSON.parse(value) as RuleDecision;
    const report = item[`${DELIVERY_TABLE.reportPrefix}${name.slice(DELIVERY_TABLE.decisionPrefix.length)}`];
    if (typeof report === 'string') decision.report = JSON.parse(report) as RuleDecision['report'];
    decisions.push(decision);
  }
  if (decisions.length > 0) record.decisions = decisions.sort((a, b) => a.event - b.event || a.rule.localeCompare(b.rule));
  return record;
}

