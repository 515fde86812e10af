import { EXIT } from './Io';

/**
 * The command could not do what was asked; exit 1 (or `exit`) with the message, which names the
 * queue, record or file. `code` is the `error` of the JSON object `--json` prints instead (cli/main.ts).
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code: string;
  /** EXIT.unavailable when a service the command needs cannot be reached or refuses it, so that nothing was checked. */
  readonly exit: typeof EXIT.failed | typeof EXIT.unavailable;

  constructor(message: string, options?: ErrorOptions & { code?: string; exit?: typeof EXIT.failed | typeof EXIT.unavailable }) {
    super(message, options);
    this.code = options?.code ?? 'failed';
    this.exit = options?.exit ?? EXIT.failed;
  }
}

/** The command line is wrong; exit 2 with the message and the usage of the command, when known. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code: string;

  constructor(
    message: string,
    /** The usage of the command misused, printed after the message. */
    readonly usage?: string,
    options?: ErrorOptions & { code?: string },
  ) {
    super(message, options);
    this.code = options?.code ?? 'usage';
  }
}

/** `--help` or `-h` was given: print `usage` on stdout and exit 0, whatever else the command line holds. */
export class HelpRequest extends Error {
  override readonly name = 'HelpRequest';

  constructor(readonly usage: string) {
    super('help requested');
  }
}
