import type { ChildProcess } from 'node:child_process';
import { type LocalStack, killGroup } from '../localStack';

/**
 * The soak's crashes: K times, after a number of accepted deliveries drawn from the seed (anywhere
 * past the first few, in order), the relay's whole process group is killed with SIGKILL and
 * started again, while the senders go on retrying what the dead relay refused, as providers do.
 */
export class RelayKiller {
  readonly #stack: LocalStack;
  readonly #killAt: number[];
  readonly #progress: (line: string) => void;
  #relay: ChildProcess;
  #restarting: Promise<void> = Promise.resolve();

  constructor(options: { stack: LocalStack; relay: ChildProcess; count: number; kills: number; random: () => number; progress: (line: string) => void }) {
    this.#stack = options.stack;
    this.#relay = options.relay;
    this.#progress = options.progress;
    this.#killAt = Array.from({ length: options.kills }, () => Math.ceil(options.count * (0.05 + 0.95 * options.random()))).sort((a, b) => a - b);
  }

  /** Told the number of deliveries accepted so far: kills and restarts the relay where one is due. */
  accepted(sent: number): void {
    while (this.#killAt[0] !== undefined && sent >= this.#killAt[0]) {
      this.#killAt.shift();
      this.#restarting = this.#restarting.then(async () => {
        this.#progress(`killing the relay's process group after ${sent} accepted deliveries`);
        await killGroup(this.#relay);
        this.#relay = await this.#stack.startRelay();
        this.#progress('restarted');
      });
    }
  }

  /** Resolves once every kill so far has been followed by a start. */
  async restarted(): Promise<void> {
    await this.#restarting;
  }

  /**
   * Runs the soak's work with the relay, then stops the relay as Ctrl-C does and resolves with what
   * the work gave, once the relay has exited; a soak that fails leaves no relay behind: its process
   * group is killed.
   */
  async around<T>(work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
      await this.#restarting;
    } catch (error) {
      await this.#restarting.catch(() => undefined);
      await killGroup(this.#relay);
      throw error;
    }
    const exited = new Promise((resolve) => this.#relay.once('exit', resolve));
    // Ctrl-C reaches every process of the foreground group, not the relay alone.
    if (this.#relay.pid === undefined) throw new Error('the relay has no process to stop');
    process.kill(-this.#relay.pid, 'SIGINT');
    await exited;
    return result;
  }
}
