import { parseDocument } from 'yaml';

/**
 * The YAML that configs are written in, read without building a document: block mappings and
 * sequences, one-line flow sequences and mappings of scalars, plain and one-line quoted scalars,
 * comments. `yaml` builds a document of nodes with positions for every scalar, which for a
 * config of 10,000 rules takes seconds; this reads the same text in a few times what JSON.parse
 * takes for the config as JSON (bench/config).
 *
 * The value is the one `yaml` gives (YAML 1.2, core schema) for every text it returns one for.
 * An item of a block sequence (a rule) that holds anything else — anchors, aliases, tags, block
 * scalars, multi-line scalars or flow collections, complex or duplicate keys, a doubt — is read
 * by `yaml` alone, so one odd rule does not cost the whole file its fast path. Outside sequence
 * items, and for tabs, CR line ends, directives, document markers and any mistake, this gives
 * undefined, and the caller parses the whole text with `yaml`, which also says where a mistake is.
 *
 * Why not a faster YAML library: js-yaml (core schema) reads such a config as fast, but this
 * file's fuzz test (test/fuzz/readPlainYaml.fuzz.test.ts) found it accepting text `yaml` refuses
 * and reading collection keys differently; the relay's config would then depend on which parser
 * ran. This reader gives `yaml`'s value or nothing.
 *
 * @returns the mapping or sequence at the top of the document, or undefined.
 */
export function readPlainYaml(text: string): unknown {
  if (UNSUPPORTED_CHARACTERS.test(text)) return undefined;
  const lines = contentLines(text);
  const indent = lines?.indents[0];
  if (lines === undefined || indent === undefined) return undefined;
  try {
    const reader = new BlockReader(lines);
    const value = reader.block(indent);
    return reader.done() ? value : undefined;
  } catch (error) {
    if (error instanceof NotPlain || error instanceof NotValid) return undefined;
    throw error;
  }
}

// Tabs, CR, a byte order mark, control characters and the line breaks YAML 1.1 knew: `yaml` has rules for each.
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/;

/** Thrown inside the reader for text outside the subset; never escapes readPlainYaml. */
class NotPlain extends Error {}

/** Thrown for a sequence item that `yaml` finds a mistake in: the whole text is left to `yaml`, to say where. */
class NotValid extends Error {}

function notPlain(): never {
  throw new NotPlain();
}

/** The lines that hold content, in lists rather than an object a line: a large config has hundreds of thousands. */
interface Lines {
  text: string;
  /** Where each line starts in the text. */
  starts: number[];
  /** Spaces before the content: the block structure. */
  indents: number[];
  contents: string[];
}

/**
 * The lines that hold content, without blank and comment-only lines (which YAML ignores at any
 * indentation); undefined for a text with a document marker or a directive.
 */
function contentLines(text: string): Lines | undefined {
  const starts: number[] = [];
  const indents: number[] = [];
  const contents: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let indent = start;
    while (indent < end && text.charCodeAt(indent) === SPACE) indent += 1;
    if (indent < end && text.charCodeAt(indent) !== HASH) {
      const content = text.slice(indent, end);
      if (indent === start && (content.startsWith('---') || content.startsWith('...') || content.startsWith('%'))) return undefined;
      starts.push(start);
      indents.push(indent - start);
      contents.push(content);
    }
    start = end + 1;
  }
  return { text, starts, indents, contents };
}

const SPACE = 0x20;
const HASH = 0x23;

/** Characters that start something other than a plain scalar, or that YAML reserves. */
const INDICATORS = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

/** Reads block collections line by line: each method starts at the line `#next` and leaves it after what it read. */
class BlockReader {
  #next = 0;
  readonly #text: string;
  readonly #starts: number[];
  readonly #indents: number[];
  readonly #contents: string[];

  constructor({ text, starts, indents, contents }: Lines) {
    this.#text = text;
    this.#starts = starts;
    this.#indents = indents;
    this.#contents = contents;
  }

  done(): boolean {
    return this.#next === this.#indents.length;
  }

  /** The mapping or sequence whose first line is the next one, at `indent`. */
  block(indent: number): unknown {
    const content = this.#contents[this.#next];
    if (content === undefined || this.#indents[this.#next] !== indent) return notPlain();
    return isSequenceEntry(content) ? this.#sequence(indent) : this.#mapping(indent);
  }

  #mapping(indent: number): Record<string, unknown> {
    const mapping: Record<string, unknown> = {};
    for (let content = this.#contents[this.#next]; content !== undefined && this.#indents[this.#next] === indent && !isSequenceEntry(content); content = this.#contents[this.#next]) {
      const entry = blockKey(content) ?? notPlain();
      if (Object.hasOwn(mapping, entry.key)) notPlain();
      this.#next += 1;
      mapping[entry.key] = entry.rest === undefined ? this.#nested(indent) : this.#inline(entry.rest, indent);
    }
    return mapping;
  }

  #sequence(indent: number): unknown[] {
    const sequence: unknown[] = [];
    for (let content = this.#contents[this.#next]; content !== undefined && this.#indents[this.#next] === indent && isSequenceEntry(content); content = this.#contents[this.#next]) {
      const first = this.#next;
      try {
        sequence.push(this.#item(content, indent));
      } catch (error) {
        if (!(error instanceof NotPlain)) throw error;
        sequence.push(this.#itemByYaml(first, indent));
      }
    }
    return sequence;
  }

  #item(content: string, indent: number): unknown {
    const offset = afterSpaces(content, 1);
    const item = content.slice(offset);
    if (item === '' || item.startsWith('#') || isSequenceEntry(item)) notPlain();
    if (blockKey(item)) {
      // `- name: build` opens a mapping whose keys line up with `name`: read it as if it began on its own line there.
      this.#indents[this.#next] = indent + offset;
      this.#contents[this.#next] = item;
      return this.#mapping(indent + offset);
    }
    this.#next += 1;
    return this.#inline(item, indent);
  }

  /**
   * The sequence item on the lines from `first` to the next line as little indented as its dash,
   * read by `yaml` as a document of its own. Its value is the one it has in the whole text: an
   * item can refer to the rest only by an alias, and an alias to an anchor outside the item is
   * a mistake in the item alone, which leaves the whole text to `yaml`.
   */
  #itemByYaml(first: number, indent: number): unknown {
    let end = first + 1;
    while (end < this.#indents.length && (this.#indents[end] ?? 0) > indent) end += 1;
    const text = this.#text.slice(this.#starts[first], this.#starts[end] ?? this.#text.length);
    this.#next = end;
    let value: unknown;
    try {
      const document = parseDocument(text, { uniqueKeys: true });
      value = document.errors.length > 0 ? undefined : document.toJS();
    } catch {
      // toJS throws for too many aliases, as it will for the whole text.
      value = undefined;
    }
    if (!Array.isArray(value) || value.length !== 1) throw new NotValid();
    return value[0] as unknown;
  }

  /**
   * The value of a key with nothing after its colon: a block on the lines below, more indented,
   * or a sequence at the key's own indentation, or else null.
   */
  #nested(indent: number): unknown {
    const content = this.#contents[this.#next];
    const next = this.#indents[this.#next];
    if (content === undefined || next === undefined || next < indent) return null;
    if (next > indent) return this.block(next);
    return isSequenceEntry(content) ? this.#sequence(indent) : null;
  }

  /** A scalar or flow collection on the line of its key or dash; a more indented line after it would continue it. */
  #inline(text: string, indent: number): unknown {
    const value = inlineValue(text);
    const next = this.#indents[this.#next];
    if (next !== undefined && next > indent) notPlain();
    return value;
  }
}

function isSequenceEntry(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

function afterSpaces(text: string, from: number): number {
  let index = from;
  while (text.charCodeAt(index) === SPACE) index += 1;
  return index;
}

/**
 * A block mapping entry's key, and what follows its colon (undefined when nothing does, but
 * perhaps a comment). Undefined when the line is not a `key: …` this subset reads.
 */
function blockKey(content: string): { key: string; rest: string | undefined } | undefined {
  let key: string;
  let colon: number;
  const quote = content[0];
  if (quote === '"' || quote === "'") {
    const quoted = quotedScalar(content, 0);
    if (quoted === undefined || content[quoted.end] !== ':') return undefined;
    key = quoted.value;
    colon = quoted.end;
  } else {
    colon = content.indexOf(':');
    while (colon >= 0 && colon + 1 < content.length && content.charCodeAt(colon + 1) !== SPACE) colon = content.indexOf(':', colon + 1);
    if (colon <= 0) return undefined;
    key = content.slice(0, colon);
    if (!isPlainString(key) || KEY_DOUBTS.test(key) || key.endsWith(' ')) return undefined;
  }
  // `yaml` limits implicit keys to 1024 characters; `<<` is a merge key in older YAML.
  if (key.length > 1000 || key === '__proto__' || key === '<<') return undefined;
  const after = afterSpaces(content, colon + 1);
  if (after === colon + 1 && after < content.length) return undefined;
  const rest = content.slice(after);
  return { key, rest: rest === '' || rest.startsWith('#') ? undefined : rest };
}

// Flow indicators and comments inside an implicit key: legal in places, and left to `yaml`.
const KEY_DOUBTS = /[[\]{},#]/;

/** A plain scalar that is a string (not null, a boolean or a number) and starts as plain scalars may. */
function isPlainString(text: string): boolean {
  return text !== '' && !INDICATORS.has(text[0] ?? '') && typeof plainScalar(text) === 'string';
}

/** The value on the line of its key or dash: a quoted or plain scalar, or a one-line flow collection. */
function inlineValue(text: string): unknown {
  const first = text[0];
  if (first === '"' || first === "'") {
    const quoted = quotedScalar(text, 0) ?? notPlain();
    endOfLine(text, quoted.end);
    return quoted.value;
  }
  if (first === '[' || first === '{') {
    const flow = first === '[' ? flowSequence(text) : flowMapping(text);
    endOfLine(text, flow.end);
    return flow.value;
  }
  const comment = text.indexOf(' #');
  const plain = (comment < 0 ? text : text.slice(0, comment)).trimEnd();
  // `a: b: c` and `a: b:` are mappings where YAML allows none; `- a` on a key's line a sequence.
  if (INDICATORS.has(first ?? '') || plain.includes(': ') || plain.endsWith(':')) notPlain();
  return plainScalar(plain);
}

/** Only spaces, then perhaps a comment, may follow a closed scalar or collection on its line. */
function endOfLine(text: string, from: number): void {
  const index = afterSpaces(text, from);
  if (index === text.length) return;
  if (index === from || text[index] !== '#') notPlain();
}

/** A quoted scalar that opens at `start` and closes on the same line, with the simple escapes. */
function quotedScalar(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  const special = quote === '"' ? /["\\]/g : /'/g;
  let value = '';
  let from = start + 1;
  for (;;) {
    special.lastIndex = from;
    const found = special.exec(text);
    if (found === null) return undefined;
    const index = found.index;
    value += text.slice(from, index);
    if (text[index] === '\\') {
      const escaped = ESCAPES.get(text[index + 1] ?? '');
      if (escaped === undefined) return undefined;
      value += escaped;
      from = index + 2;
    } else if (quote === "'" && text[index + 1] === "'") {
      value += "'";
      from = index + 2;
    } else {
      return { value, end: index + 1 };
    }
  }
}

const ESCAPES = new Map([
  ['\\', '\\'],
  ['"', '"'],
  ['/', '/'],
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
]);

function flowSequence(text: string): { value: unknown[]; end: number } {
  const value: unknown[] = [];
  let index = afterSpaces(text, 1);
  if (text[index] === ']') return { value, end: index + 1 };
  for (;;) {
    const item = flowScalar(text, index);
    value.push(item.value);
    index = afterSpaces(text, item.end);
    if (text[index] === ']') return { value, end: index + 1 };
    if (text[index] !== ',') return notPlain();
    index = afterSpaces(text, index + 1);
  }
}

function flowMapping(text: string): { value: Record<string, unknown>; end: number } {
  const value: Record<string, unknown> = {};
  let index = afterSpaces(text, 1);
  if (text[index] === '}') return { value, end: index + 1 };
  for (;;) {
    const key = flowScalar(text, index, true);
    if (typeof key.value !== 'string' || key.value === '__proto__' || key.value === '<<' || Object.hasOwn(value, key.value)) notPlain();
    if (text[key.end] !== ':' || text.charCodeAt(key.end + 1) !== SPACE) notPlain();
    const item = flowScalar(text, afterSpaces(text, key.end + 1));
    value[key.value] = item.value;
    index = afterSpaces(text, item.end);
    if (text[index] === '}') return { value, end: index + 1 };
    if (text[index] !== ',') return notPlain();
    index = afterSpaces(text, index + 1);
  }
}

/** One entry of a flow collection: a quoted scalar, or a plain one up to the next `,`, `]` or `}` (or a key's `:`). */
function flowScalar(text: string, start: number, key = false): { value: unknown; end: number } {
  const first = text[start];
  if (first === '"' || first === "'") {
    const quoted = quotedScalar(text, start) ?? notPlain();
    return { value: quoted.value, end: quoted.end };
  }
  let end = start;
  while (end < text.length && !FLOW_ENDS.has(text[end] ?? '')) end += 1;
  // A colon inside a flow entry may make it a pair: left to `yaml`, but for a key's own colon.
  if (key && text[end] === ':' && text.charCodeAt(end + 1) !== SPACE) notPlain();
  const plain = text.slice(start, end).trimEnd();
  if (plain === '' || INDICATORS.has(first ?? '') || plain.includes('#')) notPlain();
  return { value: plainScalar(plain), end: start + plain.length };
}

const FLOW_ENDS = new Set([',', '[', ']', '{', '}', ':']);

/** A plain scalar's value in YAML 1.2's core schema, with the tests, in the order, that `yaml` uses. */
function plainScalar(text: string): unknown {
  // Most scalars are names and templates: only these first characters can start anything else.
  if (!MAYBE_NOT_STRING.test(text)) return text;
  if (NULL.test(text)) return null;
  if (BOOLEAN.test(text)) return text[0] === 't' || text[0] === 'T';
  if (OCTAL.test(text)) return parseInt(text.slice(2), 8);
  if (DECIMAL.test(text)) return parseInt(text, 10);
  if (HEXADECIMAL.test(text)) return parseInt(text.slice(2), 16);
  if (NOT_A_NUMBER.test(text)) {
    if (text.slice(-3).toLowerCase() === 'nan') return NaN;
    return text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (EXPONENT.test(text) || FLOAT.test(text)) return parseFloat(text);
  return text;
}

const MAYBE_NOT_STRING = /^[-+.0-9~nNtTfF]/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOLEAN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCTAL = /^0o[0-7]+$/;
const DECIMAL = /^[-+]?[0-9]+$/;
const HEXADECIMAL = /^0x[0-9a-fA-F]+$/;
const NOT_A_NUMBER = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXPONENT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
