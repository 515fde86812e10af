import type { CanonicalEvent } from '../events/CanonicalEvent';
import type { ExecutionRequest } from '../codestream/types';

/**
 * What became of one rule for one event of a delivery, as the delivery log keeps it:
 * - `no_match`: the rule did not match (`reason` says which condition failed);
 * - `created`: Code Stream created the execution (`executionId`, `executionLink`);
 * - `skipped`: already handled by an earlier message (`reason`);
 * - `retrying`: a failure that is retried later (`reason`, `status`);
 * - `dead_lettered`: a final failure, sent to the DLQ (`reason`, `status`);
 * - `deferred`: waits out the rule's quiet period; `superseded`: a newer event of its window runs instead.
 */
export type DecisionOutcome = 'no_match' | 'created' | 'skipped' | 'retrying' | 'dead_lettered' | 'deferred' | 'superseded';

export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['no_match', 'created', 'skipped', 'retrying', 'dead_lettered', 'deferred', 'superseded'];

/** One rule's decision for one event of a delivery: the latest the relay recorded. */
export interface RuleDecision {
  rule: string;
  /** The event's index in the delivery (most deliveries have one event: 0). */
  event: number;
  outcome: DecisionOutcome;
  /** Why it did not match, was skipped, or failed; absent for a created execution. */
  reason?: string;
  /** `id:<id>` or `name:<project>/<name>`. */
  pipeline?: string;
  /** The ExecutionRequest sent (or that would have been sent). */
  request?: ExecutionRequest;
  /** Code Stream's HTTP status, when it answered. */
  status?: number;
  executionId?: string;
  /** Absolute URL of the execution in Code Stream. */
  executionLink?: string;
  /** Code Stream calls made for this rule so far. */
  attempts?: number;
  /** When the relay recorded this decision (ISO 8601). */
  at: string;
  /** For a rule with `report`: the commit status the relay posted, or failed to post, last. */
  report?: StatusReport;
}

/** The latest commit status of an execution, as the relay posted it to the Git server (lambda/status). */
export interface StatusReport {
  /** The status's name on the commit. */
  context: string;
  /** pending, success, failure, canceled or error. */
  state: string;
  description: string;
  /** Whether the Git server took it; when not, `reason` says why. */
  posted: boolean;
  reason?: string;
  /** How many posts of this state were tried. */
  attempts: number;
  at: string;
}

/**
 * One request that ingress answered. Accepted deliveries have `deliveryId`, `headers`, `query`,
 * `events`, and `body` (without credentials); refused ones have metadata only: never the body or
 * headers of a request that may not be the source's.
 */
export interface DeliveryRecord {
  /** `<source>/<deliveryId>` for an accepted delivery; `refused:<uuid>` for a refused one. */
  id: string;
  /** The configured source's name; for a refused request to no configured source, the requested name (64 characters at most). */
  source: string;
  provider?: string;
  deliveryId?: string;
  /** When ingress received it (ISO 8601). */
  receivedAt: string;
  /** The HTTP status ingress answered: 202 accepted, 200 a ping, 4xx/5xx refused. */
  status: number;
  /** The refusal's code (`invalid_signature`, `unknown_source`, …). */
  error?: string;
  /** The refusal's message, as the sender got it. */
  message?: string;
  bodyBytes: number;
  senderIp?: string;
  userAgent?: string;
  /** The events' kinds, comma-separated: `push`, `pull_request`, … */
  eventKind?: string;
  /** One line about the delivery: repository and ref, or image and tag. */
  summary?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  events?: CanonicalEvent[];
  /** Why `events` is absent from an accepted delivery: more than the log keeps. */
  eventsOmitted?: string;
  /** The body as queued, without credentials; absent when larger than the log keeps (`bodyOmitted` says why). */
  body?: string;
  bodyOmitted?: string;
  /** How many queued messages carried this delivery: 1, and one more for each redelivery by the sender or redrive. */
  receipts?: number;
  /** How many times an operator sent its dead letters back to the queue. */
  redrives?: number;
  /** The outcomes of its decisions, for filtering. */
  outcomes?: DecisionOutcome[];
  /** The rules that matched it. */
  rules?: string[];
  decisions?: RuleDecision[];
}

/** What a list shows of a delivery: everything but headers, query, events, body and decisions. */
export type DeliverySummary = Omit<DeliveryRecord, 'headers' | 'query' | 'events' | 'eventsOmitted' | 'body' | 'bodyOmitted' | 'decisions'>;

/** The id under which an accepted delivery is logged. */
export function deliveryRecordId(source: string, deliveryId: string): string {
  return `${source}/${deliveryId}`;
}
