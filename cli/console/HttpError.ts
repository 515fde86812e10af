/** A request the console answers with an error status and `{"error": code, "message"}`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra headers, such as Allow on a 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
