import { fitText, stableKey } from '../../../lambda/status/textLimits';

it('fitText leaves a text that fits, and cuts one that does not to max characters ending in an ellipsis', () => {
  expect(fitText('short', 5)).toBe('short');
  expect(fitText('longer', 5)).toBe('long…');
  expect(fitText('ab🚀🚀🚀', 4)).toBe('ab🚀…');
});

it('stableKey leaves a text that fits, and gives a long one its start and a hash of the whole, of exactly max characters', () => {
  expect(stableKey('build', 40)).toBe('build');
  const key = stableKey('x'.repeat(50), 40);
  expect(key).toMatch(/^x{31}-[0-9a-f]{8}$/);
  expect(stableKey('x'.repeat(50), 40)).toBe(key);
  expect(stableKey(`${'x'.repeat(49)}y`, 40)).not.toBe(key);
  expect([...stableKey('🚀'.repeat(50), 40)]).toHaveLength(40);
});
