import { MAX_MATCHED_LENGTH, RegexError, compileJavaScriptRegex, compileRegex, lengthReason } from '../../../lambda/rules/linearRegex';

function errorOf(source: string): RegexError {
  try {
    compileRegex(source);
  } catch (error) {
    if (error instanceof RegexError) return error;
    throw error;
  }
  throw new Error(`${source} compiled without an error`);
}

describe('compileRegex', () => {
  // On JavaScript's backtracking RegExp this does not finish; the timeout only guards against that.
  it('decides /^(a+)+$/ against 10,000 a\'s and a "!" (no match)', () => {
    const regex = compileRegex('^(a+)+$');
    expect(regex.test(`${'a'.repeat(10_000)}!`)).toBe(false);
    expect(regex.test('a'.repeat(10_000))).toBe(true);
  }, 5_000);

  it('searches anywhere in the value, as RegExp.prototype.test', () => {
    expect(compileRegex('hotfix').test('release/hotfix-12')).toBe(true);
    expect(compileRegex('^hotfix').test('release/hotfix-12')).toBe(false);
  });

  it('names what RE2 lacks, and gives its message, without its prefix, for other mistakes', () => {
    expect(errorOf('(a)\\1').message).toBe('`\\1` is a backreference, which RE2 (linear-time matching) does not support');
    expect(errorOf('[a').message).toBe('missing closing ]: `[a`');
    expect(errorOf('a\\').message).toBe('trailing backslash at end of expression');
  });

  it('shortens the rest of a long pattern that RE2 quotes', () => {
    expect(errorOf(`(${'a'.repeat(100)}`).message).toBe(`missing closing ): \`(${'a'.repeat(39)}…\``);
  });
});

describe('compileJavaScriptRegex, for the expressions picomatch writes', () => {
  it('gives escaped letters JavaScript\'s meaning: the letter, or the class JavaScript has', () => {
    expect(compileJavaScriptRegex('^\\a\\z$').test('az')).toBe(true);
    expect(compileJavaScriptRegex('^\\d$').test('7')).toBe(true);
    expect(compileJavaScriptRegex('^\\\\a$').test('\\a')).toBe(true);
  });

  it('reads JavaScript\'s syntax RE2 spells otherwise', () => {
    expect(compileJavaScriptRegex('^\\u0041[^]$').test('A\n')).toBe(true);
  });
});

describe('lengthReason', () => {
  it('names the value, its length and the cap', () => {
    expect(lengthReason('event.git.ref', 10_001)).toBe(`event.git.ref is 10001 characters; patterns match at most ${MAX_MATCHED_LENGTH}`);
    expect(MAX_MATCHED_LENGTH).toBe(4096);
  });
});
