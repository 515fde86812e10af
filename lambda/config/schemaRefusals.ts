import type { ErrorObject } from 'ajv';

/**
 * The parts of a config that its JSON Schema refused, so that the checks the schema cannot make
 * (sources, names, patterns, templates, expressions) still run on the rest and every problem of
 * the file is reported at once: a rule with an unknown key still has its templates checked.
 */
export class SchemaRefusals {
  /** JSON pointers (as Ajv writes them) of the values refused. */
  readonly #refused = new Set<string>();

  constructor(errors: readonly ErrorObject[]) {
    for (const error of errors) {
      const refused = refusedPointer(error);
      if (refused !== undefined) this.#refused.add(refused);
    }
  }

  /**
   * The value at `pointer` without the parts the schema refused: the value itself when it has
   * none, undefined when it was refused as a whole. A list with a refused item is refused as a
   * whole: the checks of a list take its items together.
   */
  wellFormed(value: unknown, pointer: string): unknown {
    if (this.#refused.size === 0) return value;
    if (this.#refused.has(pointer)) return undefined;
    const inside = `${pointer}/`;
    if (![...this.#refused].some((refused) => refused.startsWith(inside))) return value;
    if (Array.isArray(value)) {
      const items = value.map((item, index) => this.wellFormed(item, `${inside}${index}`));
      return items.includes(undefined) ? undefined : items;
    }
    if (value === null || typeof value !== 'object') return value;
    const kept: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const wellFormed = this.wellFormed(item, `${inside}${pointerStep(key)}`);
      if (wellFormed !== undefined) kept[key] = wellFormed;
    }
    return kept;
  }
}

/** A key as a JSON pointer writes it. */
export function pointerStep(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** What an error refuses: the unknown key or name it reports, the value it is about, or nothing for a missing key. */
function refusedPointer(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  // A key's name that fails propertyNames: the error is the object's, and carries the name.
  if (error.propertyName !== undefined) return `${error.instancePath}/${pointerStep(error.propertyName)}`;
  switch (error.keyword) {
    case 'if':
    case 'required':
      return undefined;
    case 'additionalProperties':
      return `${error.instancePath}/${pointerStep(String(params.additionalProperty))}`;
    case 'propertyNames':
      return `${error.instancePath}/${pointerStep(String(params.propertyName))}`;
    default:
      return error.instancePath;
  }
}
