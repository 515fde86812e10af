import type { DeliveryRecord, RuleDecision } from '../../lambda/history/DeliveryRecord';
import { outcomeBadge, statusBadge, time } from './badges';
import { type Child, append, externalLink, facts, h, nameValueTable, pretty } from './dom';
import { getJson } from './http';
import { showError } from './showError';

/** One delivery in full: what ingress received, its events, and each rule's decision. */
export function deliveryPage(main: HTMLElement, id: string): void {
  main.replaceChildren(h('h1', {}, 'Delivery'), h('p', { class: 'note' }, `Loading ${id}…`));
  getJson<DeliveryRecord>(`/api/deliveries/${encodeURIComponent(id)}`).then(
    (record) => {
      main.replaceChildren();
      append(main, ...deliveryView(record));
    },
    (error: unknown) => {
      const errors = h('div');
      main.replaceChildren(h('h1', {}, 'Delivery'), errors, h('p', {}, h('a', { attrs: { href: '#/' } }, 'All deliveries')));
      showError(errors, error);
    },
  );
}

function deliveryView(record: DeliveryRecord): Child[] {
  return [
    h('p', { class: 'crumbs' }, h('a', { attrs: { href: '#/' } }, 'Deliveries'), ' / ', record.id),
    h('h1', {}, statusBadge(record.status), ' ', record.summary || record.deliveryId || record.id),
    facts([
      ['Id', record.id],
      ['Source', `${record.source}${record.provider ? ` (${record.provider})` : ''}`],
      ['Delivery id', record.deliveryId],
      ['Received', time(record.receivedAt)],
      ['Status', String(record.status)],
      ['Refused as', record.error],
      ['Message', record.message],
      ['Kind', record.eventKind],
      ['Body', `${record.bodyBytes} bytes`],
      ['Sender', record.senderIp],
      ['User agent', record.userAgent],
      ['Receipts', record.receipts === undefined ? undefined : String(record.receipts)],
      ['Redrives', record.redrives ? String(record.redrives) : undefined],
    ]),
    h('section', {}, h('h2', {}, 'Decisions'), decisionsTable(record.decisions ?? [])),
    h(
      'section',
      {},
      h('h2', {}, 'Events'),
      ...(record.events ?? []).map((event, index) => h('details', { attrs: index === 0 ? { open: '' } : {} }, h('summary', {}, `Event ${index}: ${event.kind}`), pretty(JSON.stringify(event)))),
      record.events === undefined || record.events.length === 0 ? h('p', { class: 'note' }, 'No canonical events (a refused request has none).') : undefined,
    ),
    h('section', {}, h('h2', {}, 'Headers'), nameValueTable('Headers', Object.entries(record.headers ?? {}))),
    record.query && Object.keys(record.query).length > 0 ? h('section', {}, h('h2', {}, 'Query'), nameValueTable('Query', Object.entries(record.query))) : undefined,
    h('section', {}, h('h2', {}, 'Body'), record.body === undefined ? h('p', { class: 'note' }, record.bodyOmitted ?? 'Not kept.') : pretty(record.body)),
  ];
}

/** A rule's last commit status: its name and state, and why it was not posted. */
function reportText(report: RuleDecision['report']): string {
  if (!report) return '';
  return `${report.context}: ${report.state}${report.posted ? '' : `, not posted${report.reason ? `: ${report.reason}` : ''}`}`;
}

function decisionsTable(decisions: readonly RuleDecision[]): HTMLElement {
  if (decisions.length === 0) return h('p', { class: 'note' }, 'No decisions recorded yet.');
  const headings = ['Rule', 'Event', 'Outcome', 'Reason', 'Pipeline', 'Code Stream', 'Attempts', 'Execution', 'Commit status', 'At'];
  return h(
    'table',
    { class: 'list decisions' },
    h('caption', { class: 'visually-hidden' }, 'Each rule’s decision'),
    h('thead', {}, h('tr', {}, ...headings.map((name) => h('th', { attrs: { scope: 'col' } }, name)))),
    h(
      'tbody',
      {},
      ...decisions.map((decision) =>
        h(
          'tr',
          { class: `decision outcome-row-${decision.outcome}` },
          h('th', { attrs: { scope: 'row' } }, decision.rule),
          h('td', {}, String(decision.event)),
          h('td', {}, outcomeBadge(decision.outcome)),
          h('td', { class: 'reason' }, decision.reason ?? '', decision.request ? h('details', {}, h('summary', {}, 'Request sent'), pretty(JSON.stringify(decision.request))) : undefined),
          h('td', {}, decision.pipeline ?? ''),
          h('td', {}, decision.status === undefined ? '' : String(decision.status)),
          h('td', {}, decision.attempts === undefined ? '' : String(decision.attempts)),
          h('td', {}, decision.executionLink ? externalLink(decision.executionLink, decision.executionId ?? 'execution') : (decision.executionId ?? '')),
          h('td', { class: 'report' }, reportText(decision.report)),
          h('td', { class: 'when' }, time(decision.at)),
        ),
      ),
    ),
  );
}
