import { describeEvent } from '../../lambda/events/describeEvent';
import { DECISION_OUTCOMES, type DecisionOutcome, type DeliveryRecord, type DeliverySummary, type RuleDecision } from '../../lambda/history/DeliveryRecord';
import { CommandError, HelpRequest, UsageError } from '../errors';
import { HISTORY_OPTIONS, HISTORY_OPTIONS_USAGE, type HistoryFlags, openDeliveryHistory } from '../history/DeliveryHistory';
import type { DeliveryHistoryReader, DeliveryQuery } from '../history/DeliveryQuery';
import { EXIT, type Io } from '../Io';
import { asksForHelp, parseCommandArgs } from '../parseCommandArgs';

/** Opens the delivery log the flags name: openDeliveryHistory, or a fake in tests. */
export type OpenDeliveryHistory = (flags: HistoryFlags) => DeliveryHistoryReader;

export const DELIVERIES_LIST_USAGE = `usage: relay deliveries list [--source S] [--status accepted|refused|CODE] [--rule R] [--outcome O] [--since WHEN] [--limit N] [--cursor C] [--json] [HISTORY]
the deliveries ingress answered, newest first, and what the rules made of them
  --source S     those sent to source S
  --status S     accepted (2xx), refused (4xx and 5xx), or one HTTP status, e.g. 401
  --rule R       those rule R matched
  --outcome O    those with a decision of outcome O: ${DECISION_OUTCOMES.join(', ')}
  --since WHEN   received at or after WHEN: an ISO 8601 time, or a time ago, e.g. 15m, 2h, 7d
  --limit N      at most N a page, 1-500 (default 50)
  --cursor C     the next page: the cursor the page before printed
  --json         one JSON object {"items", "cursor"}
${HISTORY_OPTIONS_USAGE}`;

export const DELIVERIES_SHOW_USAGE = `usage: relay deliveries show ID [--json] [HISTORY]
one delivery in full: what ingress received, its events, each rule's decision (ID: as list prints it)
  --json  the record as one JSON object
${HISTORY_OPTIONS_USAGE}`;

export const DELIVERIES_USAGE = [DELIVERIES_LIST_USAGE, DELIVERIES_SHOW_USAGE].join('\n\n');

const MAX_LIMIT = 500;
const AGO = /^(\d+)([mhd])$/;
const AGO_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
// Date.parse also reads "March 7, 2026" and other local forms: only ISO 8601 is taken.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `relay deliveries list|show`: the deliveries ingress answered and what each rule made of them,
 * read from the delivery log (issue #17). `open` opens the log the options name.
 */
export async function deliveriesCommand(args: string[], io: Io, open: OpenDeliveryHistory = openDeliveryHistory): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return listCommand(rest, io, open);
    case 'show':
      return showCommand(rest, io, open);
    default:
      if (action !== undefined && asksForHelp([action])) throw new HelpRequest(DELIVERIES_USAGE);
      throw new UsageError(action === undefined ? 'relay deliveries needs list or show' : `unknown deliveries command "${action}": use list or show`, DELIVERIES_USAGE);
  }
}

/** `relay deliveries list`: one page of deliveries, newest first, and how to read the next. */
async function listCommand(args: string[], io: Io, open: OpenDeliveryHistory): Promise<number> {
  const { values } = parseCommandArgs(DELIVERIES_LIST_USAGE, {
    args,
    options: {
      ...HISTORY_OPTIONS,
      source: { type: 'string' },
      status: { type: 'string' },
      rule: { type: 'string' },
      outcome: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  // Every option is checked before the log is opened.
  const query: DeliveryQuery = {
    source: values.source,
    status: values.status === undefined ? undefined : parseStatus(values.status),
    rule: values.rule,
    outcome: values.outcome === undefined ? undefined : parseOutcome(values.outcome),
    since: values.since === undefined ? undefined : parseSince(values.since, new Date()),
    limit: values.limit === undefined ? undefined : parseLimit(values.limit),
    cursor: values.cursor,
  };
  return withHistory(open(values), async (history) => {
    const page = await history.list(query);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ items: page.items, cursor: page.cursor ?? null })}\n`);
      return EXIT.ok;
    }
    if (page.items.length === 0) {
      io.stdout.write(`no deliveries${values.cursor === undefined ? '' : ' after the cursor'}${filtered(query) ? ' match' : ''} in ${history.origin}\n`);
      return EXIT.ok;
    }
    io.stdout.write(table([['RECEIVED', 'STATUS', 'SOURCE', 'KIND', 'SUMMARY', 'OUTCOMES', 'RULES', 'ID'], ...page.items.map(row)]));
    const count = `${page.items.length} deliver${page.items.length === 1 ? 'y' : 'ies'} from ${history.origin}`;
    io.stdout.write(page.cursor === undefined ? `${count}\n` : `${count}; more may follow:\n  ${nextPage(values, query, page.cursor)}\n`);
    return EXIT.ok;
  });
}

/** `relay deliveries show ID`: one delivery in full. */
async function showCommand(args: string[], io: Io, open: OpenDeliveryHistory): Promise<number> {
  const { values, positionals } = parseCommandArgs(DELIVERIES_SHOW_USAGE, {
    args,
    options: { ...HISTORY_OPTIONS, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const [id, ...more] = positionals;
  if (id === undefined || more.length > 0) throw new UsageError('relay deliveries show needs one ID, as relay deliveries list prints it', DELIVERIES_SHOW_USAGE);
  return withHistory(open(values), async (history) => {
    const record = await history.get(id);
    if (record === undefined) {
      // An id is `<source>/<deliveryId>` or `refused:<uuid>`: a bare delivery id names none.
      const form = id.includes('/') || id.startsWith('refused:') ? '' : ` (an ID is <source>/<deliveryId>, or refused:<uuid>)`;
      throw new CommandError(`no delivery ${id} in ${history.origin}${form}: it was never logged or has expired; relay deliveries list shows those the log keeps`);
    }
    io.stdout.write(values.json ? `${JSON.stringify(record)}\n` : details(record));
    return EXIT.ok;
  });
}

/** Lets `use` read the log, then closes it. */
async function withHistory<T>(history: DeliveryHistoryReader, use: (history: DeliveryHistoryReader) => Promise<T>): Promise<T> {
  try {
    return await use(history);
  } finally {
    history.close();
  }
}

function parseStatus(value: string): DeliveryQuery['status'] {
  if (value === 'accepted' || value === 'refused') return value;
  const status = Number(value);
  if (/^\d{3}$/.test(value) && status >= 100 && status <= 599) return status;
  throw new UsageError(`--status takes accepted, refused or an HTTP status such as 401, not "${value}"`, DELIVERIES_LIST_USAGE);
}

function parseOutcome(value: string): DecisionOutcome {
  const outcome = DECISION_OUTCOMES.find((known) => known === value);
  if (outcome === undefined) throw new UsageError(`unknown outcome "${value}": use one of ${DECISION_OUTCOMES.join(', ')}`, DELIVERIES_LIST_USAGE);
  return outcome;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`--limit takes a number of deliveries from 1 to ${MAX_LIMIT}, not "${value}"`, DELIVERIES_LIST_USAGE);
  return limit;
}

/** An ISO 8601 time, or a time ago (`15m`, `2h`, `7d`) before `now`. */
function parseSince(value: string, now: Date): Date {
  const ago = AGO.exec(value);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * AGO_MS[ago[2] as keyof typeof AGO_MS]);
  if (ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value);
  throw new UsageError(`--since takes an ISO 8601 time, e.g. 2026-11-28T12:00:00Z, or a time ago, e.g. 15m, 2h, 7d, not "${value}"`, DELIVERIES_LIST_USAGE);
}

function filtered(query: DeliveryQuery): boolean {
  return [query.source, query.status, query.rule, query.outcome, query.since].some((filter) => filter !== undefined);
}

/**
 * The command line of the next page: the same log and filters, with `--since` as the time it
 * stood for, so that a time ago does not move between pages.
 */
function nextPage(flags: HistoryFlags, query: DeliveryQuery, cursor: string): string {
  const options: [string, string | undefined][] = [
    ['source', query.source],
    ['status', query.status?.toString()],
    ['rule', query.rule],
    ['outcome', query.outcome],
    ['since', query.since?.toISOString()],
    ['limit', query.limit?.toString()],
    ...(Object.keys(HISTORY_OPTIONS) as (keyof HistoryFlags)[]).map((name): [string, string | undefined] => [name, flags[name]]),
    ['cursor', cursor],
  ];
  return ['relay deliveries list', ...options.flatMap(([name, value]) => (value === undefined ? [] : [`--${name} ${shellWord(value)}`]))].join(' ');
}

/** The value as one shell word, quoted unless it is plain. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** A delivery's line in the list; a refused one has no events, and says why it was refused instead. */
function row(item: DeliverySummary): string[] {
  const summary = isRefused(item.status) ? `refused: ${item.error ?? 'no reason recorded'}` : (item.summary ?? '-');
  const list = (values: readonly string[] | undefined) => (values && values.length > 0 ? values.join(',') : '-');
  return [item.receivedAt, String(item.status), item.source, item.eventKind ?? '-', summary, list(item.outcomes), list(item.rules), item.id];
}

/** Rows in columns two spaces apart; the last column is not padded. */
function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((cells) => cells[column]?.length ?? 0))) ?? [];
  return rows.map((cells) => `${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')}\n`).join('');
}

function isRefused(status: number): boolean {
  return status >= 400;
}

/** A record in full, for `deliveries show`: its metadata, then headers, query, events, decisions and body. */
function details(record: DeliveryRecord): string {
  const refused = isRefused(record.status);
  const accepted = record.status >= 200 && record.status < 300;
  const lines = [
    ...fields('', [
      ['delivery', record.id],
      ['source', record.provider === undefined ? record.source : `${record.source} (provider ${record.provider})`],
      ['delivery id', record.deliveryId],
      ['received', record.receivedAt],
      ['status', `${record.status}${accepted ? ' accepted' : refused ? ' refused' : ''}${record.error === undefined ? '' : `: ${record.error}`}`],
      ['message', record.message],
      ['kind', record.eventKind],
      ['summary', record.summary],
      ['body size', `${record.bodyBytes} bytes`],
      ['sender ip', record.senderIp],
      ['user agent', record.userAgent],
      ['receipts', record.receipts?.toString()],
      ['redrives', record.redrives?.toString()],
    ]),
  ];
  // The log keeps nothing of a refused request but its metadata: it may not be the source's.
  if (refused) return `${[...lines, 'refused: the log keeps no headers, query, events, decisions or body of a refused request'].join('\n')}\n`;
  lines.push(...entries('headers', record.headers), ...entries('query', record.query));
  const events = record.events ?? [];
  if (record.eventsOmitted !== undefined) lines.push(`events: omitted, ${record.eventsOmitted}`);
  else lines.push(events.length === 0 ? 'events: none' : `events (${events.length})`);
  events.forEach((event, index) => lines.push(`  event ${index}: ${describeEvent(event)}`, indent(JSON.stringify(event, null, 2), '    ')));
  const decisions = record.decisions ?? [];
  lines.push(decisions.length === 0 ? 'decisions: none recorded yet' : `decisions (${decisions.length})`);
  for (const decision of decisions) lines.push(...decisionLines(decision));
  if (record.body !== undefined) lines.push('body', indent(pretty(record.body), '  '));
  else lines.push(record.bodyOmitted === undefined ? 'body: none' : `body: omitted, ${record.bodyOmitted}`);
  return `${lines.join('\n')}\n`;
}

function decisionLines(decision: RuleDecision): string[] {
  return [
    `  rule ${decision.rule}, event ${decision.event}: ${decision.outcome}`,
    ...fields('    ', [
      ['reason', decision.reason],
      ['pipeline', decision.pipeline],
      ['code stream', decision.status === undefined ? undefined : `answered ${decision.status}`],
      ['execution', decision.executionId],
      ['link', decision.executionLink],
      ['attempts', decision.attempts?.toString()],
      ['commit status', decision.report && `${decision.report.context}: ${decision.report.state}${decision.report.posted ? ', posted' : `, not posted${decision.report.reason ? `: ${decision.report.reason}` : ''}`} (${decision.report.at})`],
      ['at', decision.at],
    ]),
    ...(decision.request === undefined ? [] : ['    request', indent(JSON.stringify(decision.request, null, 2), '      ')]),
  ];
}

/** `name  value` lines, names aligned, leaving out the absent values. */
function fields(prefix: string, pairs: readonly [string, string | undefined][]): string[] {
  const present = pairs.filter((pair): pair is [string, string] => pair[1] !== undefined);
  const width = Math.max(...present.map(([name]) => name.length));
  return present.map(([name, value]) => `${prefix}${name.padEnd(width)}  ${value}`);
}

/** A section of name → value, such as the headers: its title, then one indented line each. */
function entries(title: string, values: Record<string, string> | undefined): string[] {
  const pairs = Object.entries(values ?? {});
  return pairs.length === 0 ? [`${title}: none`] : [title, ...fields('  ', pairs)];
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
