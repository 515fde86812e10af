import { withTextBody } from '../../lambda/events/RelayMessage';
import { DEAD_LETTER_ATTRIBUTES } from '../../lambda/relay/DeadLetterQueue';
import { type DeadLetter, isNamedBy } from '../DeadLetter';
import { CommandError, HelpRequest, UsageError } from '../errors';
import { EXIT, type Io } from '../Io';
import { asksForHelp, parseCommandArgs } from '../parseCommandArgs';
import { QUEUE_OPTIONS, QUEUE_OPTIONS_USAGE, type RedriveResult, type RelayQueues, withRelayQueues } from '../RelayQueues';
import { historyInAws, historyOfLocalMode } from '../history/DeliveryHistory';

export const DLQ_LIST_USAGE = `usage: relay dlq list [--json] [QUEUES]
every dead-lettered record and why
  --json  one JSON array of {"messageId", "deliveryId", "attributes", "body"}
${QUEUE_OPTIONS_USAGE}`;

export const DLQ_SHOW_USAGE = `usage: relay dlq show ID [QUEUES]
one record in full (ID: its messageId or a delivery id, which names every record of the delivery)
${QUEUE_OPTIONS_USAGE}`;

export const DLQ_REDRIVE_USAGE = `usage: relay dlq redrive (--all | ID...) [--deliveries-table NAME] [QUEUES]
send records back to the main queue, then delete them from the dead-letter queue
  --all                    every record; else the records the IDs name (messageIds or delivery ids)
  --deliveries-table NAME  in AWS, the delivery log that counts the redrive (local mode's is counted by itself)
${QUEUE_OPTIONS_USAGE}`;

export const DLQ_USAGE = [DLQ_LIST_USAGE, DLQ_SHOW_USAGE, DLQ_REDRIVE_USAGE].join('\n\n');

/**
 * `relay dlq list|show|redrive`: what is in the dead-letter queue and why, and sending records back
 * to the main queue once the cause is fixed.
 */
export async function dlqCommand(args: string[], io: Io): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return listCommand(rest, io);
    case 'show':
      return showCommand(rest, io);
    case 'redrive':
      return redriveCommand(rest, io);
    default:
      if (action !== undefined && asksForHelp([action])) throw new HelpRequest(DLQ_USAGE);
      throw new UsageError(action === undefined ? 'relay dlq needs list, show or redrive' : `unknown dlq command "${action}": use list, show or redrive`, DLQ_USAGE);
  }
}

/** `relay dlq list [--json]`: every record with why it is there. */
async function listCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(DLQ_LIST_USAGE, { args, options: { ...QUEUE_OPTIONS, json: { type: 'boolean', default: false } } });
  return withRelayQueues(values, async (queues) => {
    const records = await queues.readDeadLetters();
    if (values.json) {
      const listed = records.map((record) => ({
        messageId: record.messageId,
        deliveryId: record.deliveryId ?? null,
        attributes: record.attributes,
        body: record.message === undefined ? record.body : withTextBody(record.message),
      }));
      io.stdout.write(`${JSON.stringify(listed)}\n`);
    } else if (records.length === 0) {
      io.stdout.write(`the dead-letter queue ${queues.deadLetterQueueUrl} is empty\n`);
    } else {
      for (const record of records) io.stdout.write(`${summary(record)}\n`);
      io.stdout.write(`${records.length} record${records.length === 1 ? '' : 's'} in ${queues.deadLetterQueueUrl}\n`);
    }
    return EXIT.ok;
  });
}

/** `relay dlq show ID`: the records the ID names, in full. */
async function showCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(DLQ_SHOW_USAGE, { args, options: QUEUE_OPTIONS, allowPositionals: true });
  const [id, ...more] = positionals;
  if (id === undefined || more.length > 0) throw new UsageError('relay dlq show needs one ID: a record\'s messageId or a delivery id', DLQ_SHOW_USAGE);
  return withRelayQueues(values, async (queues) => {
    const records = named(await queues.readDeadLetters(), [id], queues);
    // A body kept in S3 is read for the record shown, not for every record listed.
    const shown = await Promise.all(records.map(async (record) => (record.message ? { ...record, message: await queues.withBody(record.message) } : record)));
    io.stdout.write(shown.map((record) => details(record, queues)).join('\n'));
    return EXIT.ok;
  });
}

/** `relay dlq redrive --all | ID…`: the chosen records back to the main queue. */
async function redriveCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(DLQ_REDRIVE_USAGE, {
    args,
    options: { ...QUEUE_OPTIONS, all: { type: 'boolean', default: false }, 'deliveries-table': { type: 'string' } },
    allowPositionals: true,
  });
  if (!values.all && positionals.length === 0) throw new UsageError('relay dlq redrive needs --all or the IDs of the records to redrive', DLQ_REDRIVE_USAGE);
  if (values.all && positionals.length > 0) throw new UsageError('relay dlq redrive --all redrives every record: give it no IDs', DLQ_REDRIVE_USAGE);
  return withRelayQueues(values, async (queues) => {
    const records = await queues.readDeadLetters();
    const chosen = values.all ? records : named(records, positionals, queues);
    if (chosen.length === 0) {
      io.stdout.write(`the dead-letter queue ${queues.deadLetterQueueUrl} is empty: nothing to redrive\n`);
      return EXIT.ok;
    }
    return redriveAndReport(io, queues, chosen, values['deliveries-table']);
  });
}

/** Redrives the records and prints each result; exit 1 when any failed. Shared with `relay replay --execute`. */
export async function redriveAndReport(io: Io, queues: RelayQueues, records: readonly DeadLetter[], deliveriesTable?: string): Promise<number> {
  const results = await queues.redrive(records);
  for (const { record, sentAs, error } of results) {
    const which = `${record.messageId} (delivery ${record.deliveryId ?? 'unknown'})`;
    if (error === undefined) io.stdout.write(`redriven ${which} to ${queues.queueUrl} as ${sentAs}\n`);
    else io.stderr.write(`not redriven ${which}: ${error}\n`);
  }
  await countRedrives(io, queues, results, deliveriesTable);
  const failed = results.filter((result) => result.error !== undefined).length;
  io.stdout.write(`${results.length - failed} of ${results.length} record${results.length === 1 ? '' : 's'} redriven\n`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

/**
 * Counts each redriven delivery in the delivery log (its `redrives`): local mode's, or the table
 * named in AWS. The redrive is done whatever happens here; a failure is only reported.
 */
async function countRedrives(io: Io, queues: RelayQueues, results: readonly RedriveResult[], deliveriesTable: string | undefined): Promise<void> {
  const history = deliveriesTable !== undefined ? historyInAws(deliveriesTable) : queues.localState && historyOfLocalMode(queues.localState);
  if (history === undefined) return;
  try {
    const redriven = new Map(results.flatMap(({ record, error }) => (error === undefined && record.message ? [[`${record.message.source}/${record.message.deliveryId}`, record.message]] : [])));
    for (const message of redriven.values()) await history.markRedriven(message.source, message.deliveryId);
  } catch (error) {
    io.stderr.write(`the redrive is done, but the delivery log ${history.origin} could not count it: ${(error as Error).message}\n`);
  } finally {
    history.close();
  }
}

/**
 * The records the IDs name, in queue order; an ID that names none is an error before anything
 * is done, so that a mistyped ID never leaves half a redrive behind.
 * @throws CommandError listing the IDs no record has.
 */
export function named(records: readonly DeadLetter[], ids: readonly string[], queues: RelayQueues): DeadLetter[] {
  const unknown = ids.filter((id) => !records.some((record) => isNamedBy(record, id)));
  if (unknown.length > 0) {
    throw new CommandError(`no record in the dead-letter queue ${queues.deadLetterQueueUrl} has the messageId or delivery id ${unknown.join(', ')}`);
  }
  return records.filter((record) => ids.some((id) => isNamedBy(record, id)));
}

/** One block a record, for `dlq list`. */
function summary(record: DeadLetter): string {
  const { rule, pipeline, outcome, status, attempts, lastAttemptAt, reason } = DEAD_LETTER_ATTRIBUTES;
  const value = (name: string) => record.attributes[name];
  const lines = [`${record.messageId}`, `  delivery  ${record.deliveryId ?? 'unknown'}`];
  if (value(rule) !== undefined) lines.push(`  rule      ${value(rule)}${value(pipeline) === undefined ? '' : ` → ${value(pipeline)}`}`);
  if (value(outcome) === undefined) {
    // The relay always says why; a record without a reason was moved by the main queue's redrive policy.
    lines.push('  outcome   none: moved by the queue after too many receives (the relay crashed or timed out on it)');
  } else {
    const facts = [
      value(outcome),
      value(status) === undefined ? undefined : `status ${value(status)}`,
      value(attempts) === undefined ? undefined : `${value(attempts)} attempt${value(attempts) === '1' ? '' : 's'}`,
      value(lastAttemptAt) === undefined ? undefined : `last at ${value(lastAttemptAt)}`,
    ];
    lines.push(`  outcome   ${facts.filter((fact) => fact !== undefined).join(', ')}`);
  }
  if (value(reason) !== undefined) lines.push(`  reason    ${value(reason)}`);
  return `${lines.join('\n')}\n`;
}

/** A record in full, for `dlq show`: every attribute, then the body pretty-printed, the delivery's own body as text. */
function details(record: DeadLetter, queues: RelayQueues): string {
  const width = Math.max(...Object.keys(record.attributes).map((name) => name.length), 10);
  const lines = [
    `message  ${record.messageId}`,
    `queue    ${queues.deadLetterQueueUrl}`,
    `sent     ${record.sentAt ?? 'unknown'}`,
    'attributes',
    ...ordered(record.attributes).map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    record.message === undefined ? `body, not a relay message (${record.malformed})` : 'body, a relay message',
    record.message === undefined ? pretty(record.body) : JSON.stringify(withTextBody(record.message), null, 2),
    '',
  ];
  return lines.join('\n');
}

/** The dead-letter attributes in the order DeadLetterQueue.ts gives them, then any others. */
function ordered(attributes: Record<string, string>): [string, string][] {
  const known: string[] = Object.values(DEAD_LETTER_ATTRIBUTES);
  const rank = (name: string) => (known.includes(name) ? known.indexOf(name) : known.length);
  return Object.entries(attributes).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
