import { randomUUID } from 'node:crypto';
import {
  type Fired,
  type Joined,
  type QuietWindowStore,
  type WindowKey,
  type WindowMember,
  compareMembers,
  windowRecordId,
} from '../../lambda/relay/QuietWindowStore';

interface Window {
  windowId: string;
  status: 'waiting' | 'fired';
  latest: WindowMember;
  dueAt: string;
}

/**
 * lambda/relay/QuietWindowStore.ts in Maps, answering join and fire as it does
 * (test/integration/relay/QuietWindowStore.test.ts checks the DynamoDB one against the same cases).
 * What it leaves out is DynamoDB's: the TTL, and races across processes.
 */
export class InMemoryQuietWindowStore implements Pick<QuietWindowStore, 'join' | 'fire'> {
  readonly #windows = new Map<string, Window>();
  readonly #fired = new Map<string, Window>();
  readonly #now: () => number;

  constructor(options: { now: () => number }) {
    this.#now = options.now;
  }

  async join(window: WindowKey, member: WindowMember, quietMs: number): Promise<Joined> {
    const id = windowRecordId(window);
    const current = this.#windows.get(id);
    if (current) {
      const order = compareMembers(member, current.latest);
      if (order === 0) return { state: 'waiting', windowId: current.windowId, dueAt: current.dueAt };
      if (order < 0) return { state: 'superseded', windowId: current.windowId, by: current.latest.deliveryId };
      if (current.status === 'waiting') {
        current.latest = { ...member };
        return { state: 'waiting', windowId: current.windowId, dueAt: current.dueAt };
      }
      this.#fired.set(current.windowId, structuredClone(current));
    }
    const opened: Window = { windowId: randomUUID(), status: 'waiting', latest: { ...member }, dueAt: new Date(this.#now() + quietMs).toISOString() };
    this.#windows.set(id, opened);
    return { state: 'waiting', windowId: opened.windowId, dueAt: opened.dueAt };
  }

  async fire(window: WindowKey, windowId: string, member: WindowMember): Promise<Fired> {
    const current = this.#windows.get(windowRecordId(window));
    if (current?.windowId === windowId) {
      if (current.latest.source !== member.source || current.latest.deliveryId !== member.deliveryId) return { state: 'superseded', by: current.latest.deliveryId };
      current.status = 'fired';
      return { state: 'fired' };
    }
    const fired = this.#fired.get(windowId);
    if (!fired) return { state: 'superseded', by: undefined };
    return compareMembers(member, fired.latest) === 0 ? { state: 'fired' } : { state: 'superseded', by: fired.latest.deliveryId };
  }
}
