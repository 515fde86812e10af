import * as fc from 'fast-check';
import { changedFilesOf, isZeroCommit, isoUtc, originOf, refParts, toIsoUtc } from '../../../lambda/providers/gitFields';

it('splits refs', () => {
  expect(refParts('refs/heads/feature/x')).toEqual({ ref: 'refs/heads/feature/x', refType: 'branch', branch: 'feature/x' });
  expect(refParts('refs/tags/v1.2.0')).toEqual({ ref: 'refs/tags/v1.2.0', refType: 'tag', tag: 'v1.2.0' });
  expect(refParts('main')).toEqual({ ref: 'refs/heads/main', refType: 'branch', branch: 'main' });
});

it('normalises timestamps to ISO 8601 UTC', () => {
  expect(toIsoUtc('2019-05-15T15:20:41+02:00')).toBe('2019-05-15T13:20:41.000Z');
  expect(toIsoUtc(1_557_933_657_000)).toBe('2019-05-15T15:20:57.000Z');
  expect(toIsoUtc('yesterday')).toBeUndefined();
  expect(toIsoUtc('')).toBeUndefined();
});

it('writes a time exactly as toISOString does, across the whole range of Date', () => {
  const edges = [0, -1, 1, 951_782_400_000, 4_107_542_400_000, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, -8.64e15];
  for (const time of edges) expect(isoUtc(time)).toBe(new Date(time).toISOString());
  const times = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: -62_167_219_200_000 * 2, max: 253_402_300_800_000 * 2 }));
  fc.assert(fc.property(times, (time) => isoUtc(time) === new Date(time).toISOString()), { numRuns: 20_000 });
});

it('finds origins and zero commits', () => {
  expect(originOf('https://gitlab.example.com:8443/group/project')).toBe('https://gitlab.example.com:8443');
  expect(originOf('not a url')).toBeUndefined();
  expect(isZeroCommit('0000000000000000000000000000000000000000')).toBe(true);
  expect(isZeroCommit('0a')).toBe(false);
});

it('merges changed files across commits, each path once', () => {
  expect(
    changedFilesOf([
      { added: ['a'], modified: ['b'], removed: [] },
      { added: ['c'], modified: ['b', 'd'], removed: ['e', 7] },
    ]),
  ).toEqual({ added: ['a', 'c'], modified: ['b', 'd'], removed: ['e'] });
  expect(changedFilesOf([{ id: 'x' }, 'junk'])).toBeUndefined();
});
