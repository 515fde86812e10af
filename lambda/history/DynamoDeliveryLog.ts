import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AcceptedDelivery, DecidedDelivery, DeliveryLog, RefusedDelivery } from './DeliveryLog';
import { deliveryRecordId, type RuleDecision } from './DeliveryRecord';
import { DEFAULT_RETENTION_DAYS, dayOf, decisionAttribute, sortKeyOf } from './deliveryTable';

export interface DynamoDeliveryLogOptions {
  client: DynamoDBDocumentClient;
  /** The table lambda/history/deliveryTable.ts describes. */
  tableName: string;
  /** @default 30 */
  retentionDays?: number;
}

/**
 * The largest body, and the largest list of events (as JSON), an item keeps: with headers and
 * decisions they stay well inside DynamoDB's 400 KB item. A larger one is left out, with why.
 */
export const LOGGED_BODY_BYTES = 128 * 1024;
const LOGGED_EVENTS_BYTES = 128 * 1024;

/** The delivery log in DynamoDB (see deliveryTable.ts): every write is a single item write. */
export class DynamoDeliveryLog implements DeliveryLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionSeconds: number;

  constructor(options: DynamoDeliveryLogOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  }

  /**
   * Sets what ingress knows, and counts the receipt: an update, not a put, so that decisions the
   * relay recorded first, or for an earlier receipt of the same delivery id, are kept.
   */
  async accepted(delivery: AcceptedDelivery): Promise<void> {
    const id = deliveryRecordId(delivery.source, delivery.deliveryId);
    const { body, events, ...rest } = delivery;
    const eventsJson = events === undefined ? undefined : JSON.stringify(events);
    const bodyBytes = Buffer.byteLength(body);
    const values: Record<string, unknown> = {
      ...rest,
      ...this.#placement(id, delivery.receivedAt),
      body: bodyBytes <= LOGGED_BODY_BYTES ? body : undefined,
      bodyOmitted: bodyBytes <= LOGGED_BODY_BYTES ? undefined : `the body (${bodyBytes} bytes) is larger than the log keeps (${LOGGED_BODY_BYTES})`,
      eventsJson: eventsJson !== undefined && eventsJson.length <= LOGGED_EVENTS_BYTES ? eventsJson : undefined,
      eventsOmitted: eventsJson !== undefined && eventsJson.length > LOGGED_EVENTS_BYTES ? `the events (${eventsJson.length} characters of JSON) are more than the log keeps` : undefined,
    };
    const update = assignments(values);
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { id },
        // A receipt is a delivery ingress answered 202 (or 200, a ping); a refusal after the read corrects the entry.
        UpdateExpression: `SET ${update.set.join(', ')}${delivery.status < 400 ? ' ADD receipts :one REMOVE #error, #message' : ''}`,
        ExpressionAttributeNames: delivery.status < 400 ? { ...update.names, '#error': 'error', '#message': 'message' } : update.names,
        ExpressionAttributeValues: delivery.status < 400 ? { ...update.values, ':one': 1 } : update.values,
      }),
    );
  }

  /** A new item of its own: a refused request has no id of the sender's that can be trusted. */
  async refused(request: RefusedDelivery): Promise<void> {
    const id = `refused:${randomUUID()}`;
    const item: Record<string, unknown> = { id, ...this.#placement(id, request.receivedAt) };
    for (const [name, value] of Object.entries(request)) if (value !== undefined) item[name] = value;
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item }));
  }

  /**
   * Sets each decision's attribute, adds its outcome (and a matched rule's name) to the sets the
   * list filters on, and places the item in the indexes if ingress has not (its write failed, or
   * the delivery came by another route).
   */
  async decided(delivery: DecidedDelivery, decisions: readonly RuleDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    const id = deliveryRecordId(delivery.source, delivery.deliveryId);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    decisions.forEach((decision, index) => {
      names[`#d${index}`] = decisionAttribute(decision.event, decision.rule);
      values[`:d${index}`] = JSON.stringify(decision);
      set.push(`#d${index} = :d${index}`);
    });
    const placed = { source: delivery.source, deliveryId: delivery.deliveryId, receivedAt: delivery.receivedAt, ...this.#placement(id, delivery.receivedAt) };
    Object.entries(placed).forEach(([name, value], index) => {
      names[`#p${index}`] = name;
      values[`:p${index}`] = value;
      set.push(`#p${index} = if_not_exists(#p${index}, :p${index})`);
    });
    const outcomes = new Set(decisions.map((decision) => decision.outcome));
    const rules = new Set(decisions.filter((decision) => decision.outcome !== 'no_match').map((decision) => decision.rule));
    const add = ['#outcomes :outcomes'];
    names['#outcomes'] = 'outcomes';
    values[':outcomes'] = outcomes;
    if (rules.size > 0) {
      add.push('#rules :rules');
      names['#rules'] = 'rules';
      values[':rules'] = rules;
    }
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { id },
        UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Where the item sits in the indexes, and when it expires. */
  #placement(id: string, receivedAt: string): { day: string; at: string; expiresAt: number } {
    return { day: dayOf(receivedAt), at: sortKeyOf(receivedAt, id), expiresAt: Math.floor(Date.parse(receivedAt) / 1000) + this.#retentionSeconds };
  }
}

/** `SET #a0 = :a0, …` for every defined value. */
function assignments(values: Record<string, unknown>): { set: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const set: string[] = [];
  const names: Record<string, string> = {};
  const bound: Record<string, unknown> = {};
  let index = 0;
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    names[`#a${index}`] = name;
    bound[`:a${index}`] = value;
    set.push(`#a${index} = :a${index}`);
    index += 1;
  }
  return { set, names, values: bound };
}
