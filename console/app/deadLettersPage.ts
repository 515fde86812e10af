import type { DeadLetterDetail, DeadLetterItem, RedriveAnswer, ReplayAnswer } from '../../cli/console/api';
import { outcomeBadge, time } from './badges';
import { compareDecisions, pipelineName } from './compare';
import { type Child, append, facts, h, nameValueTable, pretty } from './dom';
import { getJson, postJson } from './http';
import { showError } from './showError';

/** The dead-letter queue: every record, oldest first, with why it is there. */
export function deadLettersPage(main: HTMLElement): void {
  const errors = h('div');
  main.replaceChildren(h('h1', {}, 'Dead letters'), errors, h('p', { class: 'note' }, 'Reading the dead-letter queue…'));
  getJson<DeadLetterItem[]>('/api/dlq').then(
    (records) => {
      main.replaceChildren(h('h1', {}, 'Dead letters'), errors);
      if (records.length === 0) {
        main.appendChild(h('p', { class: 'note' }, 'The dead-letter queue is empty.'));
        return;
      }
      main.appendChild(
        h(
          'table',
          { class: 'list' },
          h('caption', { class: 'visually-hidden' }, 'Dead-letter records, oldest first'),
          h('thead', {}, h('tr', {}, ...['Sent', 'Outcome', 'Source', 'Delivery', 'Why'].map((name) => h('th', { attrs: { scope: 'col' } }, name)))),
          h('tbody', {}, ...records.map(deadLetterRow)),
        ),
      );
      main.appendChild(h('p', { class: 'note' }, `${records.length} record${records.length === 1 ? '' : 's'}.`));
    },
    (error: unknown) => showError(errors, error),
  );
}

function deadLetterRow(record: DeadLetterItem): HTMLTableRowElement {
  const outcome = record.attributes.outcome;
  return h(
    'tr',
    {},
    h('td', { class: 'when' }, time(record.sentAt)),
    h('td', {}, outcome ? outcomeBadge(outcome) : ''),
    h('td', {}, record.source ?? ''),
    h('td', {}, h('a', { class: 'row-link', attrs: { href: `#/dlq/${encodeURIComponent(record.messageId)}`, 'data-row': '' } }, record.deliveryId ?? record.messageId)),
    h('td', { class: 'summary' }, record.summary),
  );
}

/** One record in full, with Redrive and Replay. */
export function deadLetterPage(main: HTMLElement, messageId: string): void {
  const errors = h('div');
  main.replaceChildren(h('p', { class: 'crumbs' }, h('a', { attrs: { href: '#/dlq' } }, 'Dead letters'), ' / ', messageId), h('h1', {}, 'Dead letter'), errors);
  getJson<DeadLetterDetail>(`/api/dlq/${encodeURIComponent(messageId)}`).then(
    (record) => append(main, ...deadLetterView(record)),
    (error: unknown) => showError(errors, error),
  );
}

function deadLetterView(record: DeadLetterDetail): Child[] {
  const result = h('div', { class: 'result', attrs: { 'aria-live': 'polite' } });
  const redrive = h('button', { attrs: { type: 'button' } }, 'Redrive');
  const replay = h('button', { attrs: { type: 'button' } }, 'Replay (dry run)');
  const path = `/api/dlq/${encodeURIComponent(record.messageId)}`;
  redrive.addEventListener('click', () => {
    redrive.disabled = true;
    result.replaceChildren(h('p', { class: 'note' }, 'Redriving…'));
    postJson<RedriveAnswer>(`${path}/redrive`).then(
      (answer) => {
        replay.disabled = true;
        result.replaceChildren();
        append(
          result,
          h('p', { class: 'done' }, `Redriven: back on the main queue as ${answer.sentAs ?? 'a new message'}. The relay runs the rules that failed again.`),
          answer.historyError ? h('p', { class: 'error' }, answer.historyError) : undefined,
          h('p', {}, h('a', { attrs: { href: '#/dlq' } }, 'Back to the dead letters')),
        );
      },
      (error: unknown) => {
        redrive.disabled = false;
        showError(result, error);
      },
    );
  });
  replay.addEventListener('click', () => {
    replay.disabled = true;
    result.replaceChildren(h('p', { class: 'note' }, 'Running the current rules…'));
    postJson<ReplayAnswer>(`${path}/replay`).then(
      (answer) => result.replaceChildren(...replayView(answer)),
      (error: unknown) => showError(result, error),
    ).finally(() => (replay.disabled = false));
  });
  const { message } = record;
  const logged = message ? `${message.source}/${message.deliveryId}` : undefined;
  return [
    facts([
      ['Message id', record.messageId],
      ['Delivery', logged ? h('a', { attrs: { href: `#/deliveries/${encodeURIComponent(logged)}` } }, logged) : record.deliveryId],
      ['Sent', time(record.sentAt)],
      ['Why', record.summary],
    ]),
    h('div', { class: 'actions' }, redrive, replay),
    result,
    h('section', {}, h('h2', {}, 'Attributes'), nameValueTable('Attributes', Object.entries(record.attributes))),
    message
      ? h(
          'section',
          {},
          h('h2', {}, 'Message'),
          nameValueTable('Headers', Object.entries(message.headers)),
          h('h3', {}, 'Body'),
          message.body === undefined ? h('p', { class: 'note' }, 'The body is kept in S3 and could not be shown.') : pretty(message.body),
        )
      : h('section', {}, h('h2', {}, 'Body'), h('p', { class: 'error' }, `Not a relay message: ${record.malformed ?? ''}`), pretty(record.body ?? '')),
  ];
}

/** The current decisions beside the recorded ones, rule by rule; rows that differ are marked, in words as well as colour. */
function replayView(answer: ReplayAnswer): HTMLElement[] {
  const rows = compareDecisions(answer.current, answer.recorded);
  const differing = rows.filter((row) => row.difference !== undefined).length;
  return [
    h('h2', {}, 'Replay: the current rules beside the recorded decisions'),
    h(
      'p',
      { class: 'note' },
      'Dry run: nothing was sent. ',
      answer.repeatOf ? `The relay takes this delivery for a repeat of ${answer.repeatOf}. ` : '',
      answer.recorded === null ? `The delivery log has no record of ${answer.recordId}. ` : '',
      `${differing} of ${rows.length} decision${rows.length === 1 ? '' : 's'} differ${differing === 1 ? 's' : ''}.`,
    ),
    h(
      'table',
      { class: 'list compare' },
      h('caption', { class: 'visually-hidden' }, 'Current decisions beside recorded decisions'),
      h('thead', {}, h('tr', {}, ...['Rule', 'Event', 'Now (current rules)', 'Recorded', 'Difference'].map((name) => h('th', { attrs: { scope: 'col' } }, name)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            { class: row.difference ? 'differs' : '' },
            h('th', { attrs: { scope: 'row' } }, row.rule),
            h('td', {}, String(row.event)),
            h('td', {}, row.current === undefined ? '—' : row.current.matched ? `✓ ${pipelineName(row.current.pipeline) ?? ''}${row.current.request ? '' : `: ${row.current.reason ?? ''}`}` : `✗ ${row.current.reason ?? ''}`),
            h('td', {}, row.recorded === undefined ? '—' : outcomeBadge(row.recorded.outcome), row.recorded?.pipeline ? ` ${row.recorded.pipeline}` : '', row.recorded?.reason ? h('div', { class: 'reason' }, row.recorded.reason) : undefined),
            h('td', {}, row.difference ?? 'same'),
          ),
        ),
      ),
    ),
  ];
}
