import { closestName } from '../../../lambda/rules/closestName';

const GIT = ['serverUrl', 'repository', 'ref', 'refType', 'branch', 'tag', 'before', 'after', 'commit', 'changedFiles', 'pullRequest', 'pipeline'];

it.each([
  ['reff', 'ref'],
  ['brnch', 'branch'],
  ['brnach', 'branch'],
  ['tga', 'tag'],
  ['tgs', undefined],
  ['pullrequest', 'pullRequest'],
  ['PullReqest', 'pullRequest'],
  ['changedfile', 'changedFiles'],
  ['repo', undefined],
  ['sha', undefined],
  ['x', undefined],
  ['fullName', undefined],
])('%s: %s', (name, meant) => {
  expect(closestName(name, GIT)).toBe(meant);
});

it('allows one edit for a name of up to five characters, and a third of the length beyond', () => {
  expect(closestName('ab', ['abcd'])).toBeUndefined();
  expect(closestName('abcdef', ['abcdxy'])).toBe('abcdxy');
  expect(closestName('abcdef', ['abcxyz'])).toBeUndefined();
});

it('prefers the nearest, and the first of equals', () => {
  expect(closestName('refs', ['ref', 'refs2', 'reft'])).toBe('ref');
  expect(closestName('tog', ['tag', 'tug'])).toBe('tag');
});

it('suggests nothing among no names', () => {
  expect(closestName('ref', [])).toBeUndefined();
});
