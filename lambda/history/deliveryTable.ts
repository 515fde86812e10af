/**
 * How the delivery log is stored (DynamoDB): one item per delivery, keyed by its log id (`id`),
 * its decisions in attributes of their own (`d:<event>:<rule>`, JSON) so that each is one SET
 * that needs no parent map, whichever of ingress and the relay writes first. Two indexes list
 * deliveries newest first: by UTC day (`day`, `at`) and by source (`source`, `at`), where `at` is
 * `<receivedAt>#<id>`; they project the summary attributes only, so a page of 10,000 deliveries is
 * read in a few queries. Items expire on `expiresAt` (DynamoDB TTL, epoch seconds).
 */
export const DELIVERY_TABLE = {
  partitionKey: 'id',
  ttlAttribute: 'expiresAt',
  byDay: { indexName: 'byDay', partitionKey: 'day', sortKey: 'at' },
  bySource: { indexName: 'bySource', partitionKey: 'source', sortKey: 'at' },
  decisionPrefix: 'd:',
  reportPrefix: 'r:',
} as const;

/** What the indexes hold beside their keys: what a list shows. */
export const SUMMARY_ATTRIBUTES = [
  'provider',
  'deliveryId',
  'receivedAt',
  'status',
  'error',
  'message',
  'bodyBytes',
  'senderIp',
  'userAgent',
  'eventKind',
  'summary',
  'messageIds',
  'redrives',
  'outcomes',
  'rules',
] as const;

/** How long deliveries are kept by default (DELIVERY_LOG_RETENTION_DAYS). */
export const DEFAULT_RETENTION_DAYS = 30;

/** The attribute of one decision. */
export function decisionAttribute(event: number, rule: string): string {
  return `${DELIVERY_TABLE.decisionPrefix}${event}:${rule}`;
}

/** The attribute of the commit status reported for one decision. */
export function reportAttribute(event: number, rule: string): string {
  return `${DELIVERY_TABLE.reportPrefix}${event}:${rule}`;
}

/** The index sort key of a delivery. */
export function sortKeyOf(receivedAt: string, id: string): string {
  return `${receivedAt}#${id}`;
}

/** The UTC day of an ISO time, the by-day index's partition. */
export function dayOf(receivedAt: string): string {
  return receivedAt.slice(0, 10);
}
