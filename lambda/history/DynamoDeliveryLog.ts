import { randomUUID } from 'node:crypto';
import type * as DocumentCommands from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AnsweredDelivery, DecidedDelivery, DeliveryDetails, DeliveryLog, RefusedDelivery } from './DeliveryLog';
import { deliveryRecordId, type RuleDecision, type StatusReport } from './DeliveryRecord';
import { DEFAULT_RETENTION_DAYS, dayOf, decisionAttribute, reportAttribute, sortKeyOf } from './deliveryTable';

export interface DynamoDeliveryLogOptions {
  /** Called at the first write: ingress loads the DynamoDB SDK only when it logs, not at a cold start. */
  client: () => DynamoDBDocumentClient | Promise<DynamoDBDocumentClient>;
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

/** The commands, loaded with the client: a static import would load the SDK at a cold start. */
let loadedCommands: Promise<typeof DocumentCommands> | undefined;
function commands(): Promise<typeof DocumentCommands> {
  // Once: a load that failed is tried again at the next write.
  loadedCommands ??= import('@aws-sdk/lib-dynamodb').catch((error: unknown) => {
    loadedCommands = undefined;
    throw error;
  });
  return loadedCommands;
}

/** The delivery log in DynamoDB (see deliveryTable.ts): every write is a single item write. */
export class DynamoDeliveryLog implements DeliveryLog {
  readonly #load: () => DynamoDBDocumentClient | Promise<DynamoDBDocumentClient>;
  #client?: Promise<DynamoDBDocumentClient>;
  readonly #tableName: string;
  readonly #retentionSeconds: number;

  constructor(options: DynamoDeliveryLogOptions) {
    this.#load = options.client;
    this.#tableName = options.tableName;
    this.#retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  }

  async answered(delivery: AnsweredDelivery): Promise<void> {
    const { source, deliveryId, receivedAt, ...details } = delivery;
    await this.decided({ source, deliveryId, receivedAt }, [], details);
  }

  /** A new item of its own: a refused request has no id of the sender's that can be trusted. */
  async refused(request: RefusedDelivery): Promise<void> {
    const id = `refused:${randomUUID()}`;
    const item: Record<string, unknown> = { id, ...this.#placement(id, request.receivedAt) };
    for (const [name, value] of Object.entries(request)) if (value !== undefined) item[name] = value;
    const { PutCommand } = await commands();
    await (await this.#documents()).send(new PutCommand({ TableName: this.#tableName, Item: item }));
  }

  /**
   * Sets each decision's attribute and adds its outcome (and a matched rule's name) to the sets the
   * list filters on; with `details`, sets the delivery's fields and adds its SQS message to those
   * that carried it. Places the item in the indexes if no write has yet. An update, never a put:
   * the decisions of an earlier message of the same delivery are kept.
   */
  async decided(delivery: DecidedDelivery, decisions: readonly RuleDecision[], details?: DeliveryDetails): Promise<void> {
    if (decisions.length === 0 && details === undefined) return;
    const id = deliveryRecordId(delivery.source, delivery.deliveryId);
    const update = new Update();
    decisions.forEach((decision) => update.set(decisionAttribute(decision.event, decision.rule), JSON.stringify(decision)));
    this.#placeIfMissing(update, id, delivery);
    if (details) {
      const { body, events, messageId, ...fields } = details;
      for (const [name, value] of Object.entries(fields)) update.set(name, value);
      const bodyBytes = Buffer.byteLength(body);
      if (bodyBytes <= LOGGED_BODY_BYTES) update.set('body', body);
      else update.set('bodyOmitted', `the body (${bodyBytes} bytes) is larger than the log keeps (${LOGGED_BODY_BYTES})`);
      const eventsJson = events === undefined ? undefined : JSON.stringify(events);
      if (eventsJson !== undefined && eventsJson.length <= LOGGED_EVENTS_BYTES) update.set('eventsJson', eventsJson);
      else if (eventsJson !== undefined) update.set('eventsOmitted', `the events (${eventsJson.length} characters of JSON) are more than the log keeps`);
      if (messageId !== undefined) update.add('messageIds', new Set([messageId]));
    }
    if (decisions.length > 0) update.add('outcomes', new Set(decisions.map((decision) => decision.outcome)));
    const rules = new Set(decisions.filter((decision) => decision.outcome !== 'no_match').map((decision) => decision.rule));
    if (rules.size > 0) update.add('rules', rules);
    const { UpdateCommand } = await commands();
    await (await this.#documents()).send(new UpdateCommand({ TableName: this.#tableName, Key: { id }, ...update.expression() }));
  }

  /** The client, made once; a load that failed is tried again at the next write. */
  #documents(): Promise<DynamoDBDocumentClient> {
    this.#client ??= Promise.resolve(this.#load()).catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  /** Sets the report's attribute beside its decision's; places the item if no write has yet. */
  async reported(delivery: DecidedDelivery, decision: { event: number; rule: string }, report: StatusReport): Promise<void> {
    const id = deliveryRecordId(delivery.source, delivery.deliveryId);
    const update = new Update();
    update.set(reportAttribute(decision.event, decision.rule), JSON.stringify(report));
    this.#placeIfMissing(update, id, delivery);
    const { UpdateCommand } = await commands();
    await (await this.#documents()).send(new UpdateCommand({ TableName: this.#tableName, Key: { id }, ...update.expression() }));
  }

  /** The delivery's own keys and its place in the indexes, set by the first write that reaches the item, whichever it is. */
  #placeIfMissing(update: Update, id: string, delivery: DecidedDelivery): void {
    const placement = { source: delivery.source, deliveryId: delivery.deliveryId, receivedAt: delivery.receivedAt, ...this.#placement(id, delivery.receivedAt) };
    for (const [name, value] of Object.entries(placement)) update.setIfMissing(name, value);
  }

  /** Where the item sits in the indexes, and when it expires. */
  #placement(id: string, receivedAt: string): { day: string; at: string; expiresAt: number } {
    return { day: dayOf(receivedAt), at: sortKeyOf(receivedAt, id), expiresAt: Math.floor(Date.parse(receivedAt) / 1000) + this.#retentionSeconds };
  }
}

/** An UpdateItem's expression, built an attribute at a time, every name and value a placeholder. */
class Update {
  readonly #set: string[] = [];
  readonly #add: string[] = [];
  readonly #names: Record<string, string> = {};
  readonly #values: Record<string, unknown> = {};

  set(name: string, value: unknown): void {
    if (value === undefined) return;
    const [n, v] = this.#bind(name, value);
    this.#set.push(`${n} = ${v}`);
  }

  setIfMissing(name: string, value: unknown): void {
    const [n, v] = this.#bind(name, value);
    this.#set.push(`${n} = if_not_exists(${n}, ${v})`);
  }

  add(name: string, values: Set<string>): void {
    const [n, v] = this.#bind(name, values);
    this.#add.push(`${n} ${v}`);
  }

  expression(): { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
    const clauses = [`SET ${this.#set.join(', ')}`, ...(this.#add.length > 0 ? [`ADD ${this.#add.join(', ')}`] : [])];
    return { UpdateExpression: clauses.join(' '), ExpressionAttributeNames: this.#names, ExpressionAttributeValues: this.#values };
  }

  #bind(name: string, value: unknown): [string, string] {
    const index = Object.keys(this.#names).length;
    this.#names[`#a${index}`] = name;
    this.#values[`:a${index}`] = value;
    return [`#a${index}`, `:a${index}`];
  }
}
