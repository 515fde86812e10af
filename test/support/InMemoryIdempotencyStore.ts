import { randomUUID } from 'node:crypto';
import type { Claim, ExecutionKey, ExecutionRecord, IdempotencyStore } from '../../lambda/relay/IdempotencyStore';

type Store = Pick<IdempotencyStore, 'claim' | 'markCreated' | 'markRetrying' | 'markDeadLettered' | 'get' | 'firstDelivery' | 'markDeferred' | 'markSuperseded'>;
type Attempts = { attempts: number; firstAttemptAt?: string; lastAttemptAt?: string };
type Holder = { token?: string };

/**
 * lambda/relay/IdempotencyStore.ts in a Map: the same claims, leases and final states, answered
 * the same way (test/integration/relay/IdempotencyStore.test.ts runs both side by side). What it
 * leaves out is DynamoDB's: the TTL, claims racing across processes, and the keys of earlier versions.
 */
export class InMemoryIdempotencyStore implements Store {
  readonly #records = new Map<string, ExecutionRecord>();
  readonly #bodies = new Map<string, { firstDeliveryId: string; seenUntil: number }>();
  readonly #leaseMs: number;
  readonly #now: () => number;

  constructor(options: { leaseMs: number; now: () => number }) {
    this.#leaseMs = options.leaseMs;
    this.#now = options.now;
  }

  async claim(key: ExecutionKey, messageId: string): Promise<Claim> {
    const now = this.#now();
    const previous = this.#records.get(recordId(key));
    const free =
      previous === undefined ||
      previous.status === 'retrying' ||
      (previous.status === 'in_progress' && previous.leaseUntil <= now) ||
      (previous.status === 'dead_lettered' && previous.messageId !== messageId) ||
      previous.status === 'deferred';
    if (!free) return { claimed: false, record: withoutToken(previous) };
    const token = randomUUID();
    // A redrive starts afresh: the attempts of a dead-lettered record are spent; a deferred one made none.
    const fresh = previous === undefined || previous.status === 'dead_lettered' || previous.status === 'deferred';
    const kept: Attempts = fresh ? { attempts: 0 } : attemptsOf(previous);
    this.#set(key, { status: 'in_progress', messageId, leaseUntil: now + this.#leaseMs, claimToken: token, ...kept });
    if (fresh) return { claimed: true, token, attempts: 0, uncertain: false };
    // A holder whose lease lapsed may have reached Code Stream before it died.
    return withoutUndefined({ claimed: true, token, ...kept, uncertain: previous.status === 'retrying' ? previous.uncertain : true });
  }

  async markCreated(key: ExecutionKey, { token, ...details }: { executionId?: string; executionLink?: string } & Attempts & Holder): Promise<boolean> {
    return this.#setIfHeld(key, token, [], { status: 'created', ...details });
  }

  async markRetrying(key: ExecutionKey, { token, ...details }: { uncertain: boolean; lastOutcome: string } & Attempts & Holder): Promise<boolean> {
    return this.#setIfHeld(key, token, [], { status: 'retrying', ...details });
  }

  async markDeadLettered(key: ExecutionKey, { token, ...details }: { messageId: string; outcome: string } & Attempts & Holder): Promise<boolean> {
    return this.#setIfHeld(key, token, ['retrying', 'dead_lettered', 'deferred'], { status: 'dead_lettered', ...details });
  }

  async markDeferred(key: ExecutionKey, window: { windowId: string; key: string[]; dueAt: string }, messageId: string): Promise<boolean> {
    const current = this.#records.get(recordId(key));
    if (current !== undefined && !(current.status === 'dead_lettered' && current.messageId !== messageId)) return false;
    this.#set(key, { status: 'deferred', ...window, attempts: 0 });
    return true;
  }

  async markSuperseded(key: ExecutionKey, decision: { supersededBy: string; windowId: string }): Promise<boolean> {
    return this.#setIfHeld(key, undefined, ['deferred'], { status: 'superseded', ...decision, attempts: 0 });
  }

  async firstDelivery(source: string, bodySha256: string, deliveryId: string, windowMs: number): Promise<string> {
    const now = this.#now();
    const id = JSON.stringify([source, bodySha256]);
    const seen = this.#bodies.get(id);
    if (seen && seen.seenUntil > now && seen.firstDeliveryId !== deliveryId) return seen.firstDeliveryId;
    this.#bodies.set(id, { firstDeliveryId: deliveryId, seenUntil: now + windowMs });
    return deliveryId;
  }

  async get(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    const record = this.#records.get(recordId(key));
    return record && withoutToken(record);
  }

  /** As the DynamoDB store's conditional put: absent, held by `token`'s claim, or in an `unheld` status. */
  #setIfHeld(key: ExecutionKey, token: string | undefined, unheld: readonly ExecutionRecord['status'][], record: ExecutionRecord): boolean {
    const current = this.#records.get(recordId(key));
    const held = current?.status === 'in_progress' && token !== undefined && current.claimToken === token;
    if (current !== undefined && !held && !unheld.includes(current.status)) return false;
    this.#set(key, record);
    return true;
  }

  #set(key: ExecutionKey, record: ExecutionRecord): void {
    this.#records.set(recordId(key), withoutUndefined(structuredClone(record)));
  }
}

function recordId({ source, deliveryId, rule }: ExecutionKey): string {
  return JSON.stringify([source, deliveryId, rule]);
}

/** A record as read: the claim's token stays with its holder. */
function withoutToken(record: ExecutionRecord): ExecutionRecord {
  const copy = structuredClone(record);
  if (copy.status === 'in_progress') delete copy.claimToken;
  return copy;
}

function attemptsOf(record: ExecutionRecord): Attempts {
  return { attempts: record.attempts, firstAttemptAt: record.firstAttemptAt, lastAttemptAt: record.lastAttemptAt };
}

/** DynamoDB stores no undefined attribute: a record read back has no such key. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
