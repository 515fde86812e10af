import type { ConsoleQueues } from '../../cli/console/ConsoleQueues';
import type { DeadLetter } from '../../cli/DeadLetter';
import type { RelayMessage } from '../../lambda/events/RelayMessage';
import type { RedriveResult } from '../../cli/RelayQueues';

/**
 * The console's queues over an array of dead letters: a redrive moves a record to `redriven`
 * (or fails with `failRedrive`), and every open and close is counted.
 *
 * @example
 * const queues = new FakeConsoleQueues(samples.deadLetters);
 * await startConsole({ history, queues: queues.open, configFile, assetsDir, port: 0 });
 */
export class FakeConsoleQueues implements ConsoleQueues {
  readonly #records: DeadLetter[];
  readonly redriven: DeadLetter[] = [];
  opened = 0;
  closed = 0;
  /** When set, a redrive fails with this error, as RelayQueues reports one. */
  failRedrive: string | undefined;

  constructor(records: readonly DeadLetter[]) {
    this.#records = [...records];
  }

  /** What the console calls for each request. */
  readonly open = async (): Promise<ConsoleQueues> => {
    this.opened += 1;
    return this;
  };

  async readDeadLetters(): Promise<DeadLetter[]> {
    return [...this.#records];
  }

  async redrive(records: readonly DeadLetter[]): Promise<RedriveResult[]> {
    return records.map((record) => {
      if (this.failRedrive !== undefined) return { record, error: this.failRedrive };
      this.#records.splice(this.#records.indexOf(record), 1);
      this.redriven.push(record);
      return { record, sentAs: `sent-${this.redriven.length}` };
    });
  }

  async withBody(message: RelayMessage): Promise<RelayMessage> {
    return message;
  }

  async close(): Promise<void> {
    this.closed += 1;
  }
}
