import { parseRetryAfter } from '../../../lambda/codestream/retryAfter';

const NOW = Date.parse('2026-11-28T10:00:00Z');

it.each([
  ['120', 120_000],
  ['0', 0],
  [' 5 ', 5_000],
  ['Sat, 28 Nov 2026 10:00:30 GMT', 30_000],
  ['Saturday, 28-Nov-26 10:01:00 GMT', 60_000],
  ['Sat Nov 28 10:00:10 2026', 10_000],
  ['Fri, 27 Nov 2026 10:00:00 GMT', 0],
])('reads %j as %i ms', (header, expected) => {
  expect(parseRetryAfter(header, NOW)).toBe(expected);
});

it.each([undefined, '', '-5', '1.5', 'soon', '1e3'])('ignores %j', (header) => {
  expect(parseRetryAfter(header, NOW)).toBeUndefined();
});
