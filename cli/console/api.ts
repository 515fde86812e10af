import type { RelayMessage } from '../../lambda/events/RelayMessage';
import type { RuleDecision } from '../../lambda/history/DeliveryRecord';
import type { EventDecisions } from '../printDecisions';

// The console's JSON API, as the server answers it and the page reads it. The deliveries are the
// delivery log's own types (DeliveryPage, DeliveryRecord); the dead-letter queue's are these.

/** Every error: a code, and a message for the operator that names what was wrong. */
export interface ApiError {
  error: string;
  message: string;
}

/** A dead-letter record in the list: `GET /api/dlq`. */
export interface DeadLetterItem {
  messageId: string;
  deliveryId: string | null;
  /** The delivery's source and event kinds, from its message; null when the body is not a relay message. */
  source: string | null;
  eventKind: string | null;
  /** Why it is there (lambda/relay/DeadLetterQueue.ts): outcome, reason, rule, pipeline, status, attempts… */
  attributes: Record<string, string>;
  /** When SQS accepted it (ISO 8601). */
  sentAt: string | null;
  /** One line: the rule and its pipeline, the outcome and status, the reason. */
  summary: string;
}

/** One record in full: `GET /api/dlq/:messageId`. */
export interface DeadLetterDetail extends DeadLetterItem {
  /** The relay message with the delivery's body as text (read from S3 where ingress kept it); null when the body is not one. */
  message: RelayMessage | null;
  /** The raw body, when it is not a relay message. */
  body: string | null;
  /** Why the body is not a relay message. */
  malformed: string | null;
}

/** `POST /api/dlq/:messageId/redrive`: the record went back to the main queue. */
export interface RedriveAnswer {
  messageId: string;
  deliveryId: string | null;
  /** The new message's id on the main queue. */
  sentAs: string | null;
  /** Whether the delivery log counted the redrive; false with `historyError` when it could not. */
  historyMarked: boolean;
  historyError?: string;
}

/** `POST /api/dlq/:messageId/replay`: a dry run through the current rules, beside what the log recorded. */
export interface ReplayAnswer {
  messageId: string;
  deliveryId: string;
  /** The delivery's id in the log: `<source>/<deliveryId>`. */
  recordId: string;
  /** The first delivery with the same body, when the relay takes this one for a repeat of it. */
  repeatOf: string | null;
  /** What the current rules make of each event: `relay replay --json`'s lines. */
  current: EventDecisions[];
  /** The decisions the log recorded for the delivery; null when the log has no record of it. */
  recorded: RuleDecision[] | null;
}
