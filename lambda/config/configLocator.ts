import { type Document, LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { ConfigProblem } from './ConfigError';

/** A place in the config, e.g. `['rules', 2, 'input', 'GIT_REF']`. */
export type Path = readonly (string | number)[];

/** `offset`: where in the text of the value at `path` (a template or an expression) the problem is. */
export type Locate = (path: Path, message: string, rule?: string, offset?: number) => ConfigProblem;

/**
 * The config's text, read as JSON when it is JSON (the fast path at a cold start: YAML parsing of
 * a large config costs seconds; YAML in the plain subset has its own fast path, readPlainYaml)
 * and as a YAML document, with positions, when problems need lines.
 */
export class ConfigSource {
  #document?: { document: Document; lineCounter: LineCounter };

  constructor(readonly text: string) {}

  json(): unknown {
    if (!/^\s*\{/.test(this.text)) return undefined;
    try {
      return JSON.parse(this.text) as unknown;
    } catch {
      return undefined;
    }
  }

  document(): { document: Document; lineCounter: LineCounter } {
    if (!this.#document) {
      const lineCounter = new LineCounter();
      const document = parseDocument(this.text, { lineCounter, uniqueKeys: true, prettyErrors: true });
      this.#document = { document, lineCounter };
    }
    return this.#document;
  }
}

/** Turns a path into the config into a problem with its line, from the YAML document's node ranges. */
export function locator(source: ConfigSource, file: string): Locate {
  return (path, message, rule, offset) => {
    const { document, lineCounter } = source.document();
    const node = nodeAt(document, path);
    const at = (offset === undefined ? undefined : placeInText(document, path, offset, source.text)) ?? (node?.range ? node.range[0] : undefined);
    const position = at === undefined ? undefined : lineCounter.linePos(at);
    return { file, line: position?.line, column: position?.col, rule, field: fieldName(path), message };
  };
}

/**
 * Where in the file the character at `offset` of a string value is: exactly, for a value written
 * on one line without escapes (a plain or quoted scalar, in YAML or JSON), where the value's
 * characters are the file's; else where the value starts.
 */
function placeInText(document: Document, path: Path, offset: number, text: string): number | undefined {
  const node = document.getIn(path, true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const [start, end] = node.range;
  const quote = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE' ? 1 : 0;
  const written = node.type === 'PLAIN' || quote === 1 ? text.slice(start + quote, end - quote) : undefined;
  return written === node.value ? start + quote + offset : start;
}

/** The deepest node on the path that exists; for a map key that is not there yet, the map. */
function nodeAt(document: Document, path: Path): { range?: [number, number, number] | null } | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const prefix = path.slice(0, depth);
    const node = prefix.length === 0 ? document.contents : document.getIn(prefix, true);
    if (node && typeof node === 'object') {
      // For a key inside a map, point at the key itself rather than at its value.
      const parent = depth > 0 ? document.getIn(prefix.slice(0, -1), true) : undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === prefix[prefix.length - 1]);
        const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
        if (keyNode?.range && depth === path.length) return keyNode;
      }
      return node as { range?: [number, number, number] | null };
    }
  }
  return undefined;
}

function fieldName(path: Path): string {
  return path.reduce<string>((name, step) => (typeof step === 'number' ? `${name}[${step}]` : name ? `${name}.${step}` : step), '');
}
