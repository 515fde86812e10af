import type { DeliveryHistoryReader, DeliveryPage, DeliveryQuery } from '../../cli/history/DeliveryQuery';
import { type DeliveryRecord, type DeliverySummary, deliveryRecordId } from '../../lambda/history/DeliveryRecord';

const DEFAULT_LIMIT = 50;

/**
 * cli/history/DeliveryQuery.ts's reader over an array of records, for the commands' unit tests:
 * the same filters, newest first, and pages. Its cursor is the offset of the next page, where
 * DynamoDB's is a key; it gives one only when more deliveries follow.
 */
export class InMemoryDeliveryHistory implements DeliveryHistoryReader {
  readonly #records: DeliveryRecord[];
  /** Whether the command closed it. */
  closed = false;

  constructor(
    records: readonly DeliveryRecord[],
    readonly origin = 'the in-memory delivery log',
  ) {
    this.#records = records.map((record) => structuredClone(record));
  }

  async list(query: DeliveryQuery): Promise<DeliveryPage> {
    const matching = this.#records.filter((record) => matches(record, query)).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const end = start + (query.limit ?? DEFAULT_LIMIT);
    const items = matching.slice(start, end).map(summaryOf);
    return end < matching.length ? { items, cursor: String(end) } : { items };
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const record = this.#records.find((candidate) => candidate.id === id);
    return record && structuredClone(record);
  }

  async markRedriven(source: string, deliveryId: string): Promise<void> {
    const record = this.#records.find((candidate) => candidate.id === deliveryRecordId(source, deliveryId));
    if (record) record.redrives = (record.redrives ?? 0) + 1;
  }

  close(): void {
    this.closed = true;
  }
}

function matches(record: DeliveryRecord, query: DeliveryQuery): boolean {
  const { source, status, rule, outcome, since } = query;
  return (
    (source === undefined || record.source === source) &&
    (status === undefined || (status === 'accepted' ? record.status >= 200 && record.status < 300 : status === 'refused' ? record.status >= 400 : record.status === status)) &&
    (rule === undefined || (record.rules ?? []).includes(rule)) &&
    (outcome === undefined || (record.outcomes ?? []).includes(outcome)) &&
    (since === undefined || Date.parse(record.receivedAt) >= since.getTime())
  );
}

/** What a list shows of a record (DeliverySummary). */
function summaryOf({ headers: _h, query: _q, events: _e, eventsOmitted: _eo, body: _b, bodyOmitted: _bo, decisions: _d, ...summary }: DeliveryRecord): DeliverySummary {
  return summary;
}
