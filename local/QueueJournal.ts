import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';

/** A message's SQS attributes as the JSON protocol carries them. */
export type JournaledAttributes = Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;

/** A message the journal holds as queued: on its queue, in flight, or waiting out a delay. */
export interface JournaledMessage {
  /** The queue's name, e.g. `relay-deliveries`. */
  queue: string;
  body: string;
  attributes: JournaledAttributes;
  /** When it is visible again (ms since the epoch): sent with a delay, or a receive's visibility changed. */
  visibleAt: number;
}

/** One change to the queues, one line of the journal. */
export type JournalEntry =
  | ({ op: 'send'; id: string } & JournaledMessage)
  | { op: 'delete'; id: string }
  | { op: 'visibility'; id: string; visibleAt: number }
  /** Seen on another queue than it was sent to: the queue's redrive policy moved it. */
  | { op: 'move'; id: string; queue: string }
  | { op: 'purge'; queue: string };

/**
 * The local queues' write-ahead log: every change that SQS acknowledged, appended and flushed to
 * disk before the acknowledgement reaches the client, so that what a 202 promised survives a
 * `kill -9` of local mode (and a power cut: each line is fdatasync'ed). Replaying it gives the
 * messages still queued, which the next start sends again.
 */
export class QueueJournal {
  readonly #fd: number;
  readonly #live = new Map<string, JournaledMessage>();

  /** Appends to `file`, creating it; `live` is what it holds already (see {@link readJournal}). */
  constructor(file: string, live: ReadonlyMap<string, JournaledMessage> = new Map()) {
    this.#fd = openSync(file, 'a');
    for (const [id, message] of live) this.#live.set(id, message);
  }

  /** Writes the entry through to disk, then applies it. @throws on a failed write, which the caller must not acknowledge. */
  record(entry: JournalEntry): void {
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
    fdatasyncSync(this.#fd);
    apply(this.#live, entry);
  }

  /** The queue a live message is on; undefined for one the journal does not hold. */
  queueOf(id: string): string | undefined {
    return this.#live.get(id)?.queue;
  }

  /** How many messages each queue holds, by queue name. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { queue } of this.#live.values()) counts[queue] = (counts[queue] ?? 0) + 1;
    return counts;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * The messages a journal holds as queued, by their message id, in the order they were sent. A
 * last line cut short by a kill is ignored: its change was never acknowledged.
 *
 * @throws Error naming the line, for a line that is not an entry before the last.
 */
export function readJournal(file: string): Map<string, JournaledMessage> {
  const live = new Map<string, JournaledMessage>();
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (line === '') return;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      if (index === lines.length - 1) return;
      throw new Error(`${file}, line ${index + 1}: not a journal entry; move the file away to start with empty queues`);
    }
    apply(live, entry);
  });
  return live;
}

function apply(live: Map<string, JournaledMessage>, entry: JournalEntry): void {
  switch (entry.op) {
    case 'send':
      live.set(entry.id, { queue: entry.queue, body: entry.body, attributes: entry.attributes, visibleAt: entry.visibleAt });
      break;
    case 'delete':
      live.delete(entry.id);
      break;
    case 'visibility': {
      const message = live.get(entry.id);
      if (message) message.visibleAt = entry.visibleAt;
      break;
    }
    case 'move': {
      const message = live.get(entry.id);
      if (message) message.queue = entry.queue;
      break;
    }
    case 'purge':
      for (const [id, message] of live) if (message.queue === entry.queue) live.delete(id);
      break;
  }
}
