/** Where a command writes: the process's streams, or buffers in tests. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Exit codes: 0 success, 1 the check failed (invalid config, refused delivery), 2 the command was
 * misused, or a service it needs cannot be reached or refuses its credential (`unavailable`), so
 * that nothing was checked.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 2 } as const;
