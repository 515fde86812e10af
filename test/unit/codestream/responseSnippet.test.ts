import { responseSnippet } from '../../../lambda/codestream/responseSnippet';

it('redacts every occurrence of each secret before cutting', () => {
  expect(responseSnippet('a s3cr3t b s3cr3t', ['s3cr3t', undefined, ''], 100)).toBe('a [redacted] b [redacted]');
});

it('cuts to the bound and marks the cut', () => {
  expect(responseSnippet('abcdef', [], 4)).toBe('abcd…');
  expect(responseSnippet('abcd', [], 4)).toBe('abcd');
});

it('never leaves the start of a secret at the cut', () => {
  expect(responseSnippet('xx s3cr3t', ['s3cr3t'], 5)).toBe('xx [r…');
});
