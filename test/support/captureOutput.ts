/**
 * Captures what the process writes to stdout and stderr (Powertools loggers write there) until
 * jest restores its mocks; returns the list the chunks are appended to.
 */
export function captureOutput(): string[] {
  const printed: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  }
  return printed;
}
