import type { DecisionOutcome, DeliveryRecord, DeliverySummary } from '../../lambda/history/DeliveryRecord';

/** Which deliveries a list shows, newest first. */
export interface DeliveryQuery {
  source?: string;
  /** `accepted` (2xx), `refused` (4xx and 5xx), or one HTTP status. */
  status?: 'accepted' | 'refused' | number;
  /** Deliveries this rule matched. */
  rule?: string;
  /** Deliveries with a decision of this outcome. */
  outcome?: DecisionOutcome;
  /** Received at or after this time. @default the log's retention */
  since?: Date;
  /** Items per page, 1–500. @default 50 */
  limit?: number;
  /** The `cursor` of the page before, to read the next. */
  cursor?: string;
}

export interface DeliveryPage {
  items: DeliverySummary[];
  /** Present when more deliveries may follow: pass it as the next query's `cursor`. */
  cursor?: string;
}

/** The delivery log, read by the operator's commands and the console. */
export interface DeliveryHistoryReader {
  /** Where the log is, for messages: "local mode's table … at …" or "the table …". */
  readonly origin: string;
  list(query: DeliveryQuery): Promise<DeliveryPage>;
  /** One delivery in full; undefined when the log has no such id (or it expired). */
  get(id: string): Promise<DeliveryRecord | undefined>;
  /** Counts an operator's redrive of the delivery's dead letters (the `redrives` field). */
  markRedriven(source: string, deliveryId: string): Promise<void>;
  close(): void;
}
