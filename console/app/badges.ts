import { h } from './dom';

/** The HTTP status ingress answered, coloured by class: 2xx accepted, 4xx and 5xx refused. */
export function statusBadge(status: number): HTMLElement {
  const kind = status < 300 ? 'ok' : status < 500 ? 'refused' : 'error';
  return h('span', { class: `badge status-${kind}`, attrs: { title: `HTTP ${status}` } }, String(status));
}

/** A decision's outcome (DecisionOutcome), or a dead letter's: the word is shown, the colour only repeats it. */
export function outcomeBadge(outcome: string): HTMLElement {
  return h('span', { class: `badge outcome outcome-${outcome.replace(/[^a-z_]/gi, '')}` }, outcome.replace(/_/g, ' '));
}

/** A time as the operator's browser shows it, with the ISO time on hover. */
export function time(iso: string | null | undefined): HTMLElement | string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h('time', { attrs: { datetime: iso, title: iso } }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
}
