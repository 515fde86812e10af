import type { RelayMessage } from '../../lambda/events/RelayMessage';
import type { LocalState } from '../../local/LocalState';
import type { DeadLetter } from '../DeadLetter';
import type { RedriveResult } from '../RelayQueues';

/**
 * What the console needs of the relay's queues: {@link RelayQueues} in the command and in local
 * mode, a fake in tests. One is opened for each request and closed after it, which makes the
 * records it read visible again.
 */
export interface ConsoleQueues {
  /** The running local mode's state, for its idempotency table; undefined for queues in AWS. */
  readonly localState?: LocalState | undefined;
  /** Every dead-lettered record, oldest first. */
  readDeadLetters(): Promise<DeadLetter[]>;
  /** Sends the records back to the main queue, then deletes them from the dead-letter queue. */
  redrive(records: readonly DeadLetter[]): Promise<RedriveResult[]>;
  /** The message with its body, read from S3 where ingress kept it there. */
  withBody(message: RelayMessage): Promise<RelayMessage>;
  close(): Promise<void>;
}
