import type { DeliveryRecord, RuleDecision } from './DeliveryRecord';

/** What ingress knows of a delivery it accepted, for the log. */
export type AcceptedDelivery = Pick<
  DeliveryRecord,
  'source' | 'provider' | 'receivedAt' | 'status' | 'error' | 'message' | 'bodyBytes' | 'senderIp' | 'userAgent' | 'eventKind' | 'summary' | 'headers' | 'query' | 'events'
> & {
  deliveryId: string;
  /** The body as queued, without credentials. */
  body: string;
};

/** What ingress logs of a request it refused: metadata only. */
export type RefusedDelivery = Pick<DeliveryRecord, 'source' | 'provider' | 'deliveryId' | 'receivedAt' | 'status' | 'error' | 'message' | 'bodyBytes' | 'senderIp' | 'userAgent'>;

/** The delivery a decision belongs to: the one ingress logged. */
export interface DecidedDelivery {
  source: string;
  deliveryId: string;
  receivedAt: string;
}

/**
 * The delivery log's write side: one write per delivery at ingress, one per decision at the relay.
 * A write that fails is the caller's to log and count; it never fails or delays the delivery's
 * own work beyond its latency.
 */
export interface DeliveryLog {
  accepted(delivery: AcceptedDelivery): Promise<void>;
  refused(request: RefusedDelivery): Promise<void>;
  /** Decisions of one delivery, as one write: one rule's, or those of the rules that did not match an event. */
  decided(delivery: DecidedDelivery, decisions: readonly RuleDecision[]): Promise<void>;
}
