/** What an element can hold: nodes, or text, which is always a text node (never parsed as HTML). */
export type Child = Node | string | number | null | undefined | false;

export interface Properties {
  class?: string;
  /** Attributes, set with setAttribute: never an event handler (the CSP forbids inline code anyway). */
  attrs?: Record<string, string>;
}

/**
 * An element with its children. Data is only ever put in the page as text nodes and attribute
 * values, never through innerHTML: a branch named `<img src=x onerror=…>` shows as those characters.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, properties: Properties = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (properties.class !== undefined) element.className = properties.class;
  for (const [name, value] of Object.entries(properties.attrs ?? {})) element.setAttribute(name, value);
  append(element, ...children);
  return element;
}

/** Appends the children, text as text nodes; null, undefined and false are left out. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** A link that opens outside the console, for http(s) URLs only: any other scheme (javascript:, data:) is shown as text. */
export function externalLink(url: string, text: string): HTMLElement {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return h('span', { class: 'unsafe-link' }, url);
  return h('a', { attrs: { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' } }, text);
}

/** A definition list of the pairs whose value is present. */
export function facts(pairs: [string, Child][]): HTMLDListElement {
  const list = h('dl', { class: 'facts' });
  for (const [term, value] of pairs) {
    if (value === undefined || value === null || value === '') continue;
    append(list, h('dt', {}, term), h('dd', {}, value));
  }
  return list;
}

/** Preformatted text: a JSON text pretty-printed, anything else as it is. */
export function pretty(text: string): HTMLPreElement {
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as sent.
  }
  return h('pre', { class: 'code' }, shown);
}

/** A two-column table of names and values, such as headers. */
export function nameValueTable(caption: string, entries: [string, string][]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'note' }, `No ${caption.toLowerCase()}.`);
  return h(
    'table',
    { class: 'pairs' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' } }, 'Name'), h('th', { attrs: { scope: 'col' } }, 'Value'))),
    h('tbody', {}, ...entries.map(([name, value]) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, name), h('td', {}, value)))),
  );
}
