import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { BodyStore } from '../bodies/BodyStore';
import type { CodeStreamClient } from '../codestream/CodeStreamClient';
import type { SourceDefinition } from '../config/RelayConfig';
import type { DeliveryLog } from '../history/DeliveryLog';
import type { Reporting } from '../status/followExecution';
import type { RuleEngine } from '../rules/RuleEngine';
import type { DeadLetterQueue } from './DeadLetterQueue';
import type { DeferredQueue } from './DeferredQueue';
import type { IdempotencyStore } from './IdempotencyStore';
import type { QuietWindowStore } from './QuietWindowStore';
import type { RetryPolicy } from './RetryPolicy';

/** What the relay handler works with; built once per container (see handlers/relay.ts). */
export interface RelayDependencies {
  /** Where ingress kept bodies too large for a queued message; absent where the stack has no bucket. */
  bodies?: BodyStore;
  engine: RuleEngine;
  sources: Readonly<Record<string, SourceDefinition>>;
  codestream: Pick<CodeStreamClient, 'execute' | 'lookupExecution' | 'readExecution'>;
  store: Pick<IdempotencyStore, 'claim' | 'markCreated' | 'markRetrying' | 'markDeadLettered' | 'firstDelivery' | 'get' | 'markDeferred' | 'markSuperseded'>;
  deadLetters: DeadLetterQueue;
  /** Where each rule's decision is recorded (lambda/history); without it, nothing is. */
  deliveries?: DeliveryLog;
  /** Commit statuses for rules with `report` (lambda/status); without it, none are posted. */
  reporting?: Reporting;
  /** The quiet windows of rules with a quiet period. */
  windows: Pick<QuietWindowStore, 'join' | 'fire'>;
  /** Sends a delivery back to the queue, delayed, to wait out a quiet period: SQS SendMessage with DelaySeconds. */
  deferrals: DeferredQueue;
  /** Sets when a failed record comes back: SQS ChangeMessageVisibility on its receipt handle. */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
  policy: RetryPolicy;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  metrics?: Pick<Metrics, 'addMetric'>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}
