import { MalformedBodyError } from './errors';

/**
 * Safe reads from a parsed body of unknown shape: each returns undefined rather than throwing when
 * a step of the path is missing or of another type.
 */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** A string at the path; a number is given as its decimal text (ids are often numbers). */
export function text(value: unknown, ...path: (string | number)[]): string | undefined {
  const found = at(value, ...path);
  if (typeof found === 'string') return found;
  if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  return undefined;
}

export function integer(value: unknown, ...path: (string | number)[]): number | undefined {
  const found = at(value, ...path);
  if (typeof found === 'number' && Number.isInteger(found)) return found;
  if (typeof found === 'string' && /^\d+$/.test(found)) return Number(found);
  return undefined;
}

export function bool(value: unknown, ...path: (string | number)[]): boolean | undefined {
  const found = at(value, ...path);
  return typeof found === 'boolean' ? found : undefined;
}

export function list(value: unknown, ...path: (string | number)[]): unknown[] {
  const found = at(value, ...path);
  return Array.isArray(found) ? found : [];
}

export function record(value: unknown, ...path: (string | number)[]): Record<string, unknown> | undefined {
  const found = at(value, ...path);
  return found !== null && typeof found === 'object' && !Array.isArray(found) ? (found as Record<string, unknown>) : undefined;
}

/** The strings of a list, skipping anything else. */
export function strings(value: unknown, ...path: (string | number)[]): string[] {
  return list(value, ...path).filter((item): item is string => typeof item === 'string');
}

/**
 * A field the event cannot do without.
 * @throws MalformedBodyError naming the field, e.g. `the push body has no repository.full_name`.
 */
export function required<T>(found: T | undefined, what: string): T {
  if (found === undefined || found === '') throw new MalformedBodyError(`the body has no ${what}`);
  return found;
}
