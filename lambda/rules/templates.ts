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
}

/** A placeholder whose path leads nowhere and that gives no default: an error for that rule's decision. */
export class MissingFieldError extends Error {
  override readonly name = 'MissingFieldError';
}

type Step = string | number;
type Part = string | { path: Step[]; text: string; fallback?: string };

// Rules repeat the same templates (`${event.git.ref}`): each text is compiled once.
const compiled = new Map<string, Template>();

/** @throws TemplateError for a malformed placeholder or an unknown root. */
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
      if (end < 0) throw new TemplateError(`unclosed placeholder at "${template.slice(index, index + 20)}"`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(placeholder(template.slice(index + 2, end)));
      index = end + 1;
    } else {
      literal += template[index];
      index += 1;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

function placeholder(inner: string): Exclude<Part, string> {
  const separator = inner.indexOf(':-');
  const text = (separator < 0 ? inner : inner.slice(0, separator)).trim();
  const fallback = separator < 0 ? undefined : inner.slice(separator + 2);
  return { path: parsePath(text), text, fallback };
}

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/;

function parsePath(text: string): Step[] {
  const root = /^[A-Za-z_$][\w$]*/.exec(text)?.[0];
  if (!root) throw new TemplateError(`\${${text}} does not start with a root (${TEMPLATE_ROOTS.join(', ')})`);
  if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
    throw new TemplateError(`\${${text}} refers to unknown root "${root}"; the roots are ${TEMPLATE_ROOTS.join(', ')}`);
  }
  const path: Step[] = [root];
  let rest = text.slice(root.length);
  while (rest !== '') {
    const step = STEP.exec(rest);
    if (!step) throw new TemplateError(`\${${text}} is not a path: cannot read "${rest}"`);
    if (step[1] !== undefined) path.push(step[1]);
    else if (step[2] !== undefined) path.push(Number(step[2]));
    else path.push(JSON.parse(`"${step[3] ?? ''}"`) as string);
    rest = rest.slice(step[0].length);
  }
  return path;
}
