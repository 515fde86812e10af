import type { DeliveryRecord, RuleDecision, StatusReport } from './DeliveryRecord';

/** What the log keeps of a delivery's request: what the relay reads from its queued message. */
export type DeliveryDetails = Pick<DeliveryRecord, 'provider' | 'status' | 'bodyBytes' | 'senderIp' | 'userAgent' | 'eventKind' | 'summary' | 'headers' | 'query' | 'events'> & {
  /** The body as queued, without credentials. */
  body: string;
  /** The SQS message that carried it, counted once however often it is received (`receipts`). */
  messageId?: string;
};

/** A delivery ingress answered itself, without queueing it (a ping). */
export type AnsweredDelivery = DeliveryDetails & { source: string; deliveryId: string; receivedAt: string };

/** What ingress logs of a request it refused: metadata only. */
export type RefusedDelivery = Pick<DeliveryRecord, 'source' | 'provider' | 'deliveryId' | 'receivedAt' | 'status' | 'error' | 'message' | 'bodyBytes' | 'senderIp' | 'userAgent'>;

/** The delivery a decision belongs to: the one ingress answered 202. */
export interface DecidedDelivery {
  source: string;
  deliveryId: string;
  receivedAt: string;
}

/**
 * The delivery log's write side. Ingress writes refusals and pings only, one write each; an
 * accepted delivery is written by the relay, which has it from the queue, with its first
 * decisions: the webhook's answer waits for no write, and the relay makes one per decision.
 */
export interface DeliveryLog {
  answered(delivery: AnsweredDelivery): Promise<void>;
  refused(request: RefusedDelivery): Promise<void>;
  /** Decisions of one delivery as one write; with `details`, the delivery's own fields too. */
  decided(delivery: DecidedDelivery, decisions: readonly RuleDecision[], details?: DeliveryDetails): Promise<void>;
  /** The commit status of one decision's execution, as last posted or failed: one write per post. */
  reported(delivery: DecidedDelivery, decision: { event: number; rule: string }, report: StatusReport): Promise<void>;
}
