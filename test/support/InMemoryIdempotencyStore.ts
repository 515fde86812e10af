import type { Claim, ExecutionKey, ExecutionRecord, IdempotencyStore } from '../../lambda/relay/IdempotencyStore';

type Store = Pick<IdempotencyStore, 'claim' | 'markCreated' | 'markRetrying' | 'markDeadLettered' | 'get'>;
type Attempts = { attempts: number; firstAttemptAt?: string; lastAttemptAt?: string };

/**
 * lambda/relay/IdempotencyStore.ts in a Map: the same claims, leases and final states, answered
 * the same way (test/integration/relay/IdempotencyStore.test.ts runs both side by side). What it
 * leaves out is DynamoDB's: the TTL, and claims racing across processes.
 */
export class InMemoryIdempotencyStore implements Store {
  readonly #records = new Map<string, ExecutionRecord>();
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
      (previous.status === 'dead_lettered' && previous.messageId !== messageId);
    if (!free) return { claimed: false, record: structuredClone(previous) };
    // A redrive starts afresh: the attempts of a dead-lettered record are spent.
    const kept: Attempts = previous === undefined || previous.status === 'dead_lettered' ? { attempts: 0 } : attemptsOf(previous);
    this.#set(key, { status: 'in_progress', messageId, leaseUntil: now + this.#leaseMs, ...kept });
    if (previous === undefined || previous.status === 'dead_lettered') return { claimed: true, attempts: 0, uncertain: false };
    // A holder whose lease lapsed may have reached Code Stream before it died.
    return withoutUndefined({ claimed: true, ...kept, uncertain: previous.status === 'retrying' ? previous.uncertain : true });
  }

  async markCreated(key: ExecutionKey, details: { executionId?: string; executionLink?: string } & Attempts): Promise<void> {
    this.#set(key, { status: 'created', ...details });
  }

  async markRetrying(key: ExecutionKey, details: { uncertain: boolean; lastOutcome: string } & Attempts): Promise<void> {
    if (this.#records.get(recordId(key))?.status !== 'created') this.#set(key, { status: 'retrying', ...details });
  }

  async markDeadLettered(key: ExecutionKey, details: { messageId: string; outcome: string } & Attempts): Promise<void> {
    if (this.#records.get(recordId(key))?.status !== 'created') this.#set(key, { status: 'dead_lettered', ...details });
  }

  async get(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    const record = this.#records.get(recordId(key));
    return record && structuredClone(record);
  }

  #set(key: ExecutionKey, record: ExecutionRecord): void {
    this.#records.set(recordId(key), withoutUndefined(structuredClone(record)));
  }
}

function recordId({ deliveryId, rule }: ExecutionKey): string {
  return `${deliveryId}|${rule}`;
}

function attemptsOf(record: ExecutionRecord): Attempts {
  return { attempts: record.attempts, firstAttemptAt: record.firstAttemptAt, lastAttemptAt: record.lastAttemptAt };
}

/** DynamoDB stores no undefined attribute: a record read back has no such key. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
