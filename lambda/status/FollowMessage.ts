import type { StatusState, StatusTarget } from './CommitStatus';

/** A status still to post, and how many posts of it failed in a way worth trying again. */
export interface PendingPost {
  state: StatusState;
  description: string;
  attempts: number;
}

/**
 * What the relay queues to follow one execution it started for a rule with `report`, until it
 * ends and its result is on the commit: sent back to the queue with a delay after each look, so
 * that no function waits. Each copy carries the whole state; nothing else is stored.
 */
export interface FollowMessage {
  version: 1;
  follow: {
    /** The delivery and the rule's decision it reports on, as the delivery log knows them. */
    source: string;
    deliveryId: string;
    receivedAt: string;
    rule: string;
    event: number;
    executionId: string;
    executionLink: string;
    /** The pipeline, as the status's description names it. */
    pipeline: string;
    context: string;
    target: StatusTarget;
    /** When the execution was created: the following stops `maxAge` after it. */
    createdAt: string;
    /** How many times the execution was read. */
    checks: number;
    /** The state the commit shows, as far as the relay posted it. */
    posted?: StatusState;
    pending?: PendingPost;
  };
}

/** Whether a queue message is one of the relay's follow messages, not a delivery. */
export function isFollowMessage(value: unknown): value is FollowMessage {
  const message = value as Partial<FollowMessage> | null;
  if (message === null || typeof message !== 'object' || message.version !== 1 || typeof message.follow !== 'object' || message.follow === null) return false;
  const { follow } = message;
  return (
    typeof follow.source === 'string' &&
    typeof follow.deliveryId === 'string' &&
    typeof follow.rule === 'string' &&
    typeof follow.executionId === 'string' &&
    typeof follow.context === 'string' &&
    typeof follow.createdAt === 'string' &&
    typeof follow.checks === 'number' &&
    typeof follow.target === 'object' &&
    follow.target !== null &&
    typeof follow.target.sha === 'string'
  );
}
