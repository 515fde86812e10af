/**
 * How the relay retries Code Stream's transient failures: a few quick tries within one invocation,
 * then back to the queue with a growing delay, then the dead-letter queue.
 */
export interface RetryPolicy {
  /** Calls per rule within one invocation, the first included. @default 3 */
  attemptsPerInvocation: number;
  /** First in-invocation delay cap, in ms; it doubles each try (full jitter). @default 500 */
  invocationBaseDelayMs: number;
  /** Largest in-invocation delay, in ms. @default 5000 */
  invocationMaxDelayMs: number;
  /** First delay back on the queue, in seconds; it doubles with each receive. @default 30 */
  queueBaseDelaySeconds: number;
  /** Largest delay back on the queue, in seconds (SQS allows 12 hours). @default 900 */
  queueMaxDelaySeconds: number;
  /** The receive at which a delivery still failing goes to the dead-letter queue. @default 8 */
  maxReceiveCount: number;
  /**
   * After a call that may have been processed (a timeout, a reset), how long Code Stream may still
   * take to start the execution: no one looks for it, or calls again, before this has passed. @default 30000
   */
  uncertainSettleMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attemptsPerInvocation: 3,
  invocationBaseDelayMs: 500,
  invocationMaxDelayMs: 5_000,
  queueBaseDelaySeconds: 30,
  queueMaxDelaySeconds: 900,
  maxReceiveCount: 8,
  uncertainSettleMs: 30_000,
};

const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Exponential backoff with full jitter (a random delay up to the doubled cap), so that many
 * relays retrying the same outage do not arrive together; never sooner than Retry-After asked.
 */
export function invocationDelayMs(attempt: number, retryAfterMs: number | undefined, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.invocationMaxDelayMs, policy.invocationBaseDelayMs * 2 ** attempt);
  return Math.max(retryAfterMs ?? 0, Math.floor(random() * cap));
}

/**
 * The visibility timeout for the next receive: the doubled step with equal jitter (half fixed,
 * half random, so a retry never comes back at once), never sooner than Retry-After asked.
 */
export function queueDelaySeconds(receiveCount: number, retryAfterMs: number | undefined, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.queueMaxDelaySeconds, policy.queueBaseDelaySeconds * 2 ** Math.max(0, receiveCount - 1));
  const jittered = Math.ceil(step / 2 + random() * (step / 2));
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(jittered, Math.ceil((retryAfterMs ?? 0) / 1000)));
}
