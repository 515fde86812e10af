import type { DeliveryPage } from '../../cli/history/DeliveryQuery';
import { DECISION_OUTCOMES, type DeliverySummary } from '../../lambda/history/DeliveryRecord';
import { outcomeBadge, statusBadge, time } from './badges';
import { type Child, h } from './dom';
import { getJson } from './http';
import { showError } from './showError';

/** How often the list asks for newer deliveries. */
const POLL_MS = 2_000;

/** The `since` choices, as the page's hash keeps them, and how far back each reaches. */
const SINCE: Readonly<Record<string, { label: string; ms: number }>> = {
  '15m': { label: 'last 15 minutes', ms: 15 * 60_000 },
  '1h': { label: 'last hour', ms: 3_600_000 },
  '24h': { label: 'last 24 hours', ms: 86_400_000 },
  '7d': { label: 'last 7 days', ms: 7 * 86_400_000 },
};

const FILTERS = ['source', 'status', 'rule', 'outcome', 'since'] as const;

/**
 * The deliveries, newest first, with the filters of the hash (`#/?source=github&since=1h`): a
 * page at a time ("More"), and every 2 s the newest page again, merged in, so that new deliveries
 * and the decisions the relay adds to recent ones show without a reload. Returns its stop.
 */
export function deliveriesPage(main: HTMLElement, filters: URLSearchParams): () => void {
  const shown = new Map<string, HTMLTableRowElement>();
  const body = h('tbody');
  const status = h('p', { class: 'note', attrs: { 'aria-live': 'polite' } });
  const more = h('button', { attrs: { type: 'button' } }, 'More');
  const errors = h('div');
  let cursor: string | undefined;
  let stopped = false;

  const load = async (next?: string) => {
    const page = await getJson<DeliveryPage>(`/api/deliveries?${apiQuery(filters, next)}`);
    errors.replaceChildren();
    return page;
  };
  const showPage = (page: DeliveryPage) => {
    for (const item of page.items) {
      const row = deliveryRow(item);
      const existing = shown.get(item.id);
      if (existing) existing.replaceWith(row);
      else body.appendChild(row);
      shown.set(item.id, row);
    }
    cursor = page.cursor;
    more.hidden = cursor === undefined;
    status.textContent = shown.size === 0 ? 'No deliveries match.' : `${shown.size} shown${cursor === undefined ? '' : '; more are older'}.`;
  };
  /** The newest page again: changed rows replaced in place, new ones put on top, newest first. */
  const merge = (page: DeliveryPage) => {
    const fresh: HTMLTableRowElement[] = [];
    for (const item of page.items) {
      const row = deliveryRow(item);
      const existing = shown.get(item.id);
      if (existing === undefined) fresh.push(row);
      // A focused row stays as it is, so that the keyboard keeps its place.
      else if (existing.dataset.version === row.dataset.version || existing.contains(document.activeElement)) continue;
      else existing.replaceWith(row);
      shown.set(item.id, row);
    }
    body.prepend(...fresh);
    if (fresh.length > 0) status.textContent = `${shown.size} shown${cursor === undefined ? '' : '; more are older'}; ${fresh.length} new.`;
  };

  more.addEventListener('click', () => {
    more.disabled = true;
    load(cursor).then(showPage, (error: unknown) => showError(errors, error)).finally(() => (more.disabled = false));
  });
  main.replaceChildren(
    h('h1', {}, 'Deliveries'),
    filterForm(filters),
    errors,
    h(
      'table',
      { class: 'list' },
      h('caption', { class: 'visually-hidden' }, 'Deliveries, newest first'),
      h('thead', {}, h('tr', {}, ...['Received', 'Status', 'Source', 'Kind', 'Delivery', 'Outcomes', 'Rules'].map((name) => h('th', { attrs: { scope: 'col' } }, name)))),
      body,
    ),
    status,
    more,
  );
  more.hidden = true;

  let timer: number | undefined;
  const poll = () => {
    timer = window.setTimeout(() => {
      load().then(
        (page) => !stopped && merge(page),
        (error: unknown) => !stopped && showError(errors, error),
      ).finally(() => !stopped && poll());
    }, POLL_MS);
  };
  load().then(
    (page) => {
      if (stopped) return;
      showPage(page);
      poll();
    },
    (error: unknown) => {
      showError(errors, error);
      poll();
    },
  );
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

/** The API's query: the filters (a `since` choice made a time from now) and the cursor. */
function apiQuery(filters: URLSearchParams, cursor: string | undefined): string {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = filters.get(name);
    if (!value) continue;
    const reach = name === 'since' ? SINCE[value] : undefined;
    if (reach) query.set('since', new Date(Date.now() - reach.ms).toISOString());
    else if (name !== 'since') query.set(name, value);
  }
  if (cursor !== undefined) query.set('cursor', cursor);
  return query.toString();
}

function deliveryRow(item: DeliverySummary): HTMLTableRowElement {
  const link = h('a', { class: 'row-link', attrs: { href: `#/deliveries/${encodeURIComponent(item.id)}`, 'data-row': '' } }, item.summary || item.deliveryId || item.id);
  const refusal = item.error ? h('span', { class: 'refusal' }, item.error) : undefined;
  const row = h(
    'tr',
    {},
    h('td', { class: 'when' }, time(item.receivedAt)),
    h('td', {}, statusBadge(item.status)),
    h('td', {}, item.source),
    h('td', {}, item.eventKind ?? ''),
    h('td', { class: 'summary' }, link, refusal, item.redrives ? h('span', { class: 'tag' }, `redriven ${item.redrives}×`) : undefined),
    h('td', { class: 'outcomes' }, ...significant(item.outcomes ?? []).map(outcomeBadge)),
    h('td', {}, (item.rules ?? []).join(', ')),
  );
  // What changes when the relay records more: compared to replace a row only when it changed.
  row.dataset.version = JSON.stringify([item.status, item.outcomes, item.rules, item.redrives, item.receipts]);
  return row;
}

/** Each outcome once, what happened before the rules that did not match. */
function significant(outcomes: readonly string[]): string[] {
  return [...new Set(outcomes)].sort((a, b) => Number(a === 'no_match') - Number(b === 'no_match'));
}

/** The filters as labelled controls; submitting one puts them in the hash, which renders the list again. */
function filterForm(filters: URLSearchParams): HTMLFormElement {
  const field = (label: string, control: HTMLInputElement | HTMLSelectElement): Child => h('label', { class: 'field' }, h('span', {}, label), control);
  const text = (name: string, placeholder: string) =>
    h('input', { attrs: { type: 'search', name, id: `filter-${name}`, value: filters.get(name) ?? '', placeholder, autocomplete: 'off', spellcheck: 'false' } });
  const select = (name: string, options: [string, string][]) => {
    const control = h('select', { attrs: { name, id: `filter-${name}` } }, ...options.map(([value, label]) => h('option', { attrs: { value } }, label)));
    control.value = filters.get(name) ?? '';
    return control;
  };
  const form = h(
    'form',
    { class: 'filters', attrs: { role: 'search', 'aria-label': 'Filter deliveries' } },
    field('Source', text('source', 'any source')),
    field('Status', select('status', [['', 'any'], ['accepted', 'accepted (2xx)'], ['refused', 'refused (4xx, 5xx)']])),
    field('Rule', text('rule', 'any rule')),
    field('Outcome', select('outcome', [['', 'any'], ...DECISION_OUTCOMES.map((outcome): [string, string] => [outcome, outcome.replace(/_/g, ' ')])])),
    field('Since', select('since', [['', 'any time'], ...Object.entries(SINCE).map(([value, { label }]): [string, string] => [value, label])])),
    h('button', { attrs: { type: 'submit' } }, 'Filter'),
  );
  const apply = () => {
    const chosen = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (typeof value === 'string' && value.trim() !== '') chosen.set(name, value.trim());
    const query = chosen.toString();
    window.location.hash = query === '' ? '#/' : `#/?${query}`;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  for (const control of form.querySelectorAll('select')) control.addEventListener('change', apply);
  return form;
}
