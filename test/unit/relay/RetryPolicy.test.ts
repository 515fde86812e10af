import { DEFAULT_RETRY_POLICY, invocationDelayMs, queueDelaySeconds } from '../../../lambda/relay/RetryPolicy';

const policy = DEFAULT_RETRY_POLICY;

it('draws in-invocation delays with full jitter under a doubling cap', () => {
  expect([0, 1, 2, 3, 4, 10].map((attempt) => invocationDelayMs(attempt, undefined, policy, () => 0.999_999))).toEqual([499, 999, 1999, 3999, 4999, 4999]);
  expect(invocationDelayMs(3, undefined, policy, () => 0)).toBe(0);
});

it('never retries sooner than Retry-After asked', () => {
  expect(invocationDelayMs(0, 3_000, policy, () => 0.5)).toBe(3_000);
  expect(queueDelaySeconds(1, 120_500, policy, () => 0)).toBe(121);
});

it('sends a record back with a doubling delay, half of it jittered, up to the cap', () => {
  expect([1, 2, 3, 4, 5, 6].map((receive) => queueDelaySeconds(receive, undefined, policy, () => 0))).toEqual([15, 30, 60, 120, 240, 450]);
  expect([1, 2, 3, 4, 5, 6].map((receive) => queueDelaySeconds(receive, undefined, policy, () => 0.999_999))).toEqual([30, 60, 120, 240, 480, 900]);
});

it('stays within SQS’s 12-hour visibility limit', () => {
  expect(queueDelaySeconds(1, 50 * 3_600_000, policy, () => 0)).toBe(43_200);
});
