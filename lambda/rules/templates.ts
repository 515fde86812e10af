import { resolveEventPath } from './eventPaths';

/**
 * Templates for a rule's input, comments, tags and source: text with `${path}` or
 * `${path:-default}` placeholders, `$$` for a literal `$`. A path starts at one of the roots
 * and walks keys with `.name`, `["any key"]` or `[index]`:
 * `${event.git.branch}`, `${headers["x-github-event"]}`, `${body.commits[0].id}`, `${event.git.tag:-latest}`.
 */
export const TEMPLATE_ROOTS = ['event', 'body', 'headers', 'query'] as const;
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];

/** What templates and expressions can read. */
export type TemplateContext = Record<TemplateRoot, unknown>;

export type Template = (context: TemplateContext) => string;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  /** @param offset where in the template the problem is, so that a config error can point at it. */
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** A placeholder whose path leads nowhere and that gives no default: an error for that rule's decision. */
export class MissingFieldError extends Error {
  override readonly name = 'MissingFieldError';
}

type Step = string | number;
type Part = string | { path: Step[]; text: string; fallback?: string };

// Rules repeat the same templates (`${event.git.ref}`): each text is compiled once.
const compiled = new Map<string, Template>();

/**
 * Compiles a template, checking each `${event.…}` path against the canonical event's fields
 * (body, headers and query are the delivery's and may hold anything): a misspelt field is an
 * error here, where it can be fixed, rather than at every delivery.
 * @throws TemplateError for a malformed placeholder, an unknown root or a field the event cannot have.
 */
export function compileTemplate(template: string): Template {
  let result = compiled.get(template);
  if (!result) {
    result = compileUncached(template);
    compiled.set(template, result);
  }
  return result;
}

/**
 * Templates render once per matched rule and delivery: the common shapes, a constant and one
 * placeholder alone, get closures of their own, and the rest concatenate without an array.
 */
function compileUncached(template: string): Template {
  const parts = parseTemplate(template);
  const [first] = parts;
  if (parts.every((part) => typeof part === 'string')) {
    const constant = parts.join('');
    return () => constant;
  }
  if (parts.length === 1 && first !== undefined && typeof first !== 'string') return (context) => render(first, context);
  return (context) => {
    let text = '';
    for (const part of parts) text += typeof part === 'string' ? part : render(part, context);
    return text;
  };
}

function render(part: Exclude<Part, string>, context: TemplateContext): string {
  let value: unknown = context;
  for (const step of part.path) {
    value = value !== null && typeof value === 'object' && Object.hasOwn(value, step) ? (value as Record<Step, unknown>)[step] : undefined;
  }
  if (value === undefined || value === null || value === '') {
    if (part.fallback !== undefined) return part.fallback;
    if (value === '') return '';
    throw new MissingFieldError(`\${${part.text}} has no value in this delivery; give a default with \${${part.text}:-…}`);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let index = 0;
  while (index < template.length) {
    if (template.startsWith('$$', index)) {
      literal += '$';
      index += 2;
    } else if (template.startsWith('${', index)) {
      const end = template.indexOf('}', index);
      if (end < 0) throw new TemplateError(`unclosed placeholder at "${template.slice(index, index + 20)}"`, index);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(placeholder(template.slice(index + 2, end), index + 2));
      index = end + 1;
    } else {
      literal += template[index];
      index += 1;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** @param at where `inner` starts in the template. */
function placeholder(inner: string, at: number): Exclude<Part, string> {
  const separator = inner.indexOf(':-');
  const written = separator < 0 ? inner : inner.slice(0, separator);
  const text = written.trim();
  const fallback = separator < 0 ? undefined : inner.slice(separator + 2);
  const path = parsePath(text, at + written.length - written.trimStart().length);
  return { path, text, fallback };
}

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/;

/** @param at where `text` starts in the template, for the offset of an error. */
function parsePath(text: string, at: number): Step[] {
  const root = /^[A-Za-z_$][\w$]*/.exec(text)?.[0];
  if (!root) throw new TemplateError(`\${${text}} does not start with a root (${TEMPLATE_ROOTS.join(', ')})`, at);
  if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
    throw new TemplateError(`\${${text}} refers to unknown root "${root}"; the roots are ${TEMPLATE_ROOTS.join(', ')}`, at);
  }
  const path: Step[] = [root];
  // Where each step's name or index starts, to point an error at the step.
  const starts: number[] = [0];
  let rest = text.slice(root.length);
  while (rest !== '') {
    const step = STEP.exec(rest);
    if (!step) throw new TemplateError(`\${${text}} is not a path: cannot read "${rest}"`, at + text.length - rest.length);
    if (step[1] !== undefined) path.push(step[1]);
    else if (step[2] !== undefined) path.push(Number(step[2]));
    else path.push(JSON.parse(`"${step[3] ?? ''}"`) as string);
    starts.push(text.length - rest.length + 1);
    rest = rest.slice(step[0].length);
  }
  if (root === 'event') {
    const resolved = resolveEventPath(path.slice(1));
    if ('message' in resolved) throw new TemplateError(`\${${text}}: ${resolved.message}`, at + (starts[resolved.step + 1] ?? 0));
  }
  return path;
}
