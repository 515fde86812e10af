/** The command could not do what was asked; exit 1 with the message, which names the queue, record or file. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** The command line is wrong; exit 2 with the message and the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
