import fc from 'fast-check';
import picomatch from 'picomatch';
import { MAX_MATCHED_LENGTH } from '../../../lambda/rules/linearRegex';
import { PatternError, type PatternOptions, compilePatterns } from '../../../lambda/rules/patterns';

function matches(patterns: string[], value: string, options?: PatternOptions): boolean {
  return compilePatterns(patterns, options).test(value);
}

function errorOf(patterns: string[]): PatternError {
  try {
    compilePatterns(patterns);
  } catch (error) {
    if (error instanceof PatternError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(patterns)} compiled without an error`);
}

describe('globs', () => {
  it('matches a plain pattern only by exact, case-sensitive equality', () => {
    expect(matches(['main'], 'main')).toBe(true);
    expect(matches(['main'], 'Main')).toBe(false);
    expect(matches(['main'], 'main2')).toBe(false);
    expect(matches(['release/1.0'], 'release/1x0')).toBe(false);
  });

  it('lets * match within one segment but not across a slash', () => {
    expect(matches(['release/*'], 'release/1.0')).toBe(true);
    expect(matches(['release/*'], 'release/1.0/hotfix')).toBe(false);
    expect(matches(['*'], 'feature/login')).toBe(false);
  });

  it('lets ** match across slashes', () => {
    expect(matches(['release/**'], 'release/1.0/hotfix')).toBe(true);
    expect(matches(['**'], 'feature/login/form')).toBe(true);
  });

  it('lets /**/ match zero or more whole segments', () => {
    expect(matches(['src/**/*.ts'], 'src/index.ts')).toBe(true);
    expect(matches(['src/**/*.ts'], 'src/rules/engine/index.ts')).toBe(true);
    expect(matches(['src/**/*.ts'], 'lib/index.ts')).toBe(false);
  });

  it('matches names starting with a dot (dot: true)', () => {
    expect(matches(['*'], '.github')).toBe(true);
    expect(matches(['src/*'], 'src/.env')).toBe(true);
  });

  it('supports braces and character classes', () => {
    expect(matches(['{main,develop}'], 'develop')).toBe(true);
    expect(matches(['{main,develop}'], 'feature')).toBe(false);
    expect(matches(['v[0-9]*'], 'v1.2.0')).toBe(true);
    expect(matches(['v[0-9]*'], 'vnext')).toBe(false);
  });

  it('treats a backslash-escaped * as a literal star', () => {
    expect(matches(['release\\*'], 'release*')).toBe(true);
    expect(matches(['release\\*'], 'release1')).toBe(false);
  });

  it('matches a value against any pattern of the list', () => {
    const list = compilePatterns(['main', 'release/*']);
    expect(list.test('main')).toBe(true);
    expect(list.test('release/2.1')).toBe(true);
    expect(list.test('develop')).toBe(false);
  });

  it('matches everything with an empty list', () => {
    expect(matches([], 'anything')).toBe(true);
  });
});

describe('the basename option', () => {
  it('does not let *.md match a nested path without it', () => {
    expect(matches(['*.md'], 'README.md')).toBe(true);
    expect(matches(['*.md'], 'docs/a.md')).toBe(false);
  });

  it('lets *.md match a nested path with it', () => {
    expect(matches(['*.md'], 'docs/a.md', { basename: true })).toBe(true);
    expect(matches(['*.md'], 'docs/a.ts', { basename: true })).toBe(false);
  });

  it('still matches a **/ pattern against the whole path with it', () => {
    expect(matches(['**/*.tf'], 'infra/modules/vpc/main.tf', { basename: true })).toBe(true);
  });

  it('keeps a pattern with a slash anchored to the start of the path with it', () => {
    expect(matches(['docs/*.md'], 'site/docs/a.md', { basename: true })).toBe(false);
  });

  it('matches a pattern with a slash against the whole path with it', () => {
    expect(matches(['src/**'], 'src/index.ts', { basename: true })).toBe(true);
    expect(matches(['docs/*.md'], 'docs/a.md', { basename: true })).toBe(true);
  });

  it('lets a plain literal without a slash match a nested path with it', () => {
    expect(matches(['Dockerfile'], 'services/api/Dockerfile', { basename: true })).toBe(true);
  });
});

describe('regular expressions', () => {
  it('treats /…/ as a regular expression', () => {
    expect(matches(['/^v\\d+\\.\\d+$/'], 'v1.2')).toBe(true);
    expect(matches(['/^v\\d+\\.\\d+$/'], 'v1.2.3')).toBe(false);
  });

  it('searches unanchored unless the expression anchors itself', () => {
    expect(matches(['/hotfix/'], 'release/hotfix-12')).toBe(true);
  });

  it('applies the flags after the closing slash', () => {
    expect(matches(['/^main$/i'], 'MAIN')).toBe(true);
    expect(matches(['/^main$/'], 'MAIN')).toBe(false);
  });

  it('reads character classes, alternatives and repetition counts as JavaScript does', () => {
    expect(matches(['/^release-[0-9]{2}\\.x$/'], 'release-12.x')).toBe(true);
    expect(matches(['/^release-[0-9]{2}\\.x$/'], 'release-1.x')).toBe(false);
    expect(matches(['/^(feature|fix)\\/[\\w-]+$/'], 'fix/JIRA-1_b')).toBe(true);
    expect(matches(['/^(feature|fix)\\/[\\w-]+$/'], 'fix/a b')).toBe(false);
    expect(matches(['/^[^/]+$/'], 'main')).toBe(true);
    expect(matches(['/^[^/]+$/'], 'a/b')).toBe(false);
  });

  it('accepts named groups in both spellings', () => {
    expect(matches(['/^(?<kind>feature|fix)\\//'], 'feature/x')).toBe(true);
    expect(matches(['/^(?P<kind>feature|fix)\\//'], 'fix/x')).toBe(true);
  });

  it('anchors ^ and $ at line ends only with the m flag, and lets . match a newline only with s', () => {
    expect(matches(['/^b$/'], 'a\nb')).toBe(false);
    expect(matches(['/^b$/m'], 'a\nb')).toBe(true);
    expect(matches(['/a.b/'], 'a\nb')).toBe(false);
    expect(matches(['/a.b/s'], 'a\nb')).toBe(true);
  });

  it('gives the same answer each time a value is tested with the g flag', () => {
    const list = compilePatterns(['/^release/g']);
    expect([list.test('release/1.0'), list.test('release/1.0'), list.test('release/1.0')]).toEqual([true, true, true]);
  });
});

describe('linear time', () => {
  // Each of these, on JavaScript's backtracking RegExp, runs for minutes or more; the timeout is
  // only a guard, so that a regression fails rather than hangs.
  const GUARD_MS = 5_000;

  it('decides /^(a+)+$/ against the longest value it matches, of a\'s and a "!"', () => {
    expect(matches(['/^(a+)+$/'], `${'a'.repeat(MAX_MATCHED_LENGTH - 1)}!`)).toBe(false);
    expect(matches(['/^(a+)+$/'], 'a'.repeat(MAX_MATCHED_LENGTH))).toBe(true);
  }, GUARD_MS);

  it('decides a glob with many stars in one segment, which picomatch\'s RegExp backtracks on', () => {
    expect(matches(['**/*a*a*a*a*b'], 'a'.repeat(MAX_MATCHED_LENGTH))).toBe(false);
    expect(matches(['**/*a*a*a*a*b'], `x/${'a'.repeat(MAX_MATCHED_LENGTH - 3)}b`)).toBe(true);
    expect(matches(['*a*a*a*a*b'], 'a'.repeat(MAX_MATCHED_LENGTH), { basename: true })).toBe(false);
  }, GUARD_MS);

  it.each([
    ['/^(a+)\\1$/', '`\\1` is a backreference'],
    ['/^(?<n>a)\\k<n>$/', '`\\k` is a backreference'],
    ['/^v(?=\\d)/', '`(?=` is a lookahead'],
    ['/^(?!dependabot)/', '`(?!` is a lookahead'],
    ['/(?<=release\\/)x/', '`(?<=` is a lookbehind'],
    ['/(?<!release\\/)x/', '`(?<!` is a lookbehind'],
    ['/^a++$/', '`++` is a possessive quantifier'],
    ['/^a{2}+$/', '`{2}+` is a possessive quantifier'],
    ['/^(?>a+)$/', '`(?>` is an atomic group'],
  ])('refuses %s, which RE2 cannot run, saying why', (pattern, reason) => {
    expect(errorOf([pattern]).message).toBe(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}, which RE2 (linear-time matching) does not support`);
  });

  it('gives RE2\'s message for other syntax it does not have', () => {
    expect(errorOf(['/\\u0041/']).message).toBe('invalid regular expression "/\\\\u0041/": invalid escape sequence: `\\u`');
    expect(errorOf(['/a{1001}/']).message).toBe('invalid regular expression "/a{1001}/": invalid repeat count: `{1001}`');
  });

  it('refuses a negated extglob, which picomatch writes as a lookahead', () => {
    expect(errorOf(['main', 'release/!(legacy)']).message).toBe('invalid glob "release/!(legacy)": "!(…)" cannot run in linear time; exclude with a leading "!" instead');
    expect(errorOf(['main', 'release/!(legacy)']).index).toBe(1);
  });
});

describe('values longer than MAX_MATCHED_LENGTH', () => {
  const long = `${'a'.repeat(MAX_MATCHED_LENGTH)}b`;

  it('are too long for a list with a regular expression or a glob, which then never matches them', () => {
    for (const patterns of [['/b$/'], ['*b'], ['main', '/b$/']]) {
      const list = compilePatterns(patterns);
      expect([list.tooLong(long), list.test(long)]).toEqual([true, false]);
    }
  });

  it('are not excluded by a negative-only list either: a value too long to match fails the list', () => {
    expect(compilePatterns(['!/^tmp-/']).test(long)).toBe(false);
  });

  it('are matched by lists of plain names, which run no regular expression', () => {
    expect(compilePatterns(['main', long]).tooLong(long)).toBe(false);
    expect(compilePatterns(['main', long]).test(long)).toBe(true);
    expect(compilePatterns(['README.md'], { basename: true }).tooLong(long)).toBe(false);
  });

  it('start one character past it', () => {
    const list = compilePatterns(['*']);
    expect(list.tooLong('a'.repeat(MAX_MATCHED_LENGTH))).toBe(false);
    expect(list.test('a'.repeat(MAX_MATCHED_LENGTH))).toBe(true);
    expect(list.tooLong('a'.repeat(MAX_MATCHED_LENGTH + 1))).toBe(true);
  });
});

describe('globs run on RE2 as picomatch matches them', () => {
  const tokens = ['a', 'b', '.', '-', '/', '*', '**', '?', '[ab]', '[!a]', '[a-b]', '{a,b}', '{a,}', '{a,b/a}', '@(a|b)', '+(a|b)', '*(a|b)', '?(a|b)', '\\*'];
  const glob = fc
    .array(fc.constantFrom(...tokens), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join(''))
    .filter((pattern) => !/^\/.+\/[a-z]*$/s.test(pattern)); // the form of a regular expression
  // picomatch's lookaheads, left out on RE2, keep wildcards from matching empty, `.` and `..`
  // segments: values with one are the documented difference, and no provider sends one.
  const value = fc
    .array(fc.constantFrom('a', 'b', '.', '-', '/', '*'), { minLength: 1, maxLength: 8 })
    .map((chars) => chars.join(''))
    .filter((text) => !/(^|\/)\.{0,2}(\/|$)/.test(text));

  it.each([false, true])('agrees with picomatch on every value without an empty, . or .. segment (basename %s)', (basename) => {
    fc.assert(
      fc.property(glob, fc.array(value, { minLength: 1, maxLength: 10 }), (pattern, values) => {
        let list;
        try {
          list = compilePatterns([pattern], { basename });
        } catch (error) {
          // globProblem refuses stars that are not whole segments; the rest must compile.
          if (error instanceof PatternError && /^invalid glob ".*": "\*\*\*?" /.test(error.message)) return;
          throw error;
        }
        // With basename, only a pattern without a slash is about a file's name, as in .gitignore.
        const expected = picomatch(pattern, { dot: true, basename: basename && !pattern.includes('/') });
        for (const text of values) expect([text, list.test(text)]).toEqual([text, expected(text)]);
      }),
      { numRuns: 500 },
    );
  });

  it('also matches, where picomatch would not, a wildcard against an empty or dot segment', () => {
    expect(matches(['release/*'], 'release/')).toBe(true);
    expect(matches(['a/*/b'], 'a/../b')).toBe(true);
  });
});

describe('negation', () => {
  it('excludes values matching a ! pattern from those matching a positive one', () => {
    const list = compilePatterns(['release/*', '!release/legacy']);
    expect(list.test('release/2.0')).toBe(true);
    expect(list.test('release/legacy')).toBe(false);
    expect(list.test('main')).toBe(false);
  });

  it('matches everything but the negated values when every pattern is negative', () => {
    const list = compilePatterns(['!main', '!wip/*']);
    expect(list.test('develop')).toBe(true);
    expect(list.test('main')).toBe(false);
    expect(list.test('wip/spike')).toBe(false);
  });

  it('negates a regular expression', () => {
    const list = compilePatterns(['!/^dependabot\\//']);
    expect(list.test('dependabot/npm/axios-1.7.0')).toBe(false);
    expect(list.test('feature/login')).toBe(true);
  });
});

describe('literals', () => {
  it('lists the patterns when every one is a plain positive literal', () => {
    expect(compilePatterns(['Codertocat/Hello-World', 'acme/app']).literals).toEqual(['Codertocat/Hello-World', 'acme/app']);
  });

  it('treats dots, dashes and slashes as literal characters', () => {
    expect(compilePatterns(['release/1.0', 'feature/JIRA-1']).literals).toEqual(['release/1.0', 'feature/JIRA-1']);
  });

  it('is absent when one pattern is a glob', () => {
    expect(compilePatterns(['main', 'release/*']).literals).toBeUndefined();
  });

  it('is absent when one pattern is negated', () => {
    expect(compilePatterns(['main', '!develop']).literals).toBeUndefined();
  });

  it('is absent for a negative-only list', () => {
    expect(compilePatterns(['!main']).literals).toBeUndefined();
  });

  it('is absent when one pattern is a regular expression', () => {
    expect(compilePatterns(['main', '/^main$/']).literals).toBeUndefined();
  });

  it('is absent when one pattern has an escape', () => {
    expect(compilePatterns(['release\\*']).literals).toBeUndefined();
  });

  it('is absent for an empty list', () => {
    expect(compilePatterns([]).literals).toBeUndefined();
  });
});

describe('text', () => {
  it('joins the patterns as written, negations and regular expressions included', () => {
    expect(compilePatterns(['main', 'release/*', '!release/legacy', '/^v\\d+$/i']).text).toBe('main, release/*, !release/legacy, /^v\\d+$/i');
  });
});

describe('errors', () => {
  it('throws a PatternError, an Error named PatternError', () => {
    const error = errorOf(['[']);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PatternError');
  });

  it('refuses an invalid regular expression', () => {
    expect(errorOf(['/(/']).message).toBe('invalid regular expression "/(/": missing closing ): `(`');
  });

  it('refuses unknown regular expression flags', () => {
    expect(errorOf(['/main/x']).message).toMatch(/^invalid regular expression "\/main\/x": .*flags/);
  });

  it('refuses an empty pattern', () => {
    expect(errorOf(['']).message).toBe('invalid glob "": it is empty');
  });

  it('refuses a lone !, an empty negated pattern', () => {
    expect(errorOf(['!']).message).toBe('invalid glob "!": it is empty');
  });

  it('refuses an unclosed [', () => {
    expect(errorOf(['release/[0-9']).message).toBe('invalid glob "release/[0-9": an unclosed "["');
  });

  it('refuses an unclosed {', () => {
    expect(errorOf(['{main,develop']).message).toBe('invalid glob "{main,develop": an unclosed "{"');
  });

  it('refuses an unclosed (', () => {
    expect(errorOf(['@(main|develop']).message).toBe('invalid glob "@(main|develop": an unclosed "("');
  });

  it('refuses an unmatched }', () => {
    expect(errorOf(['main}']).message).toBe('invalid glob "main}": an unmatched "}"');
  });

  it('refuses an unmatched )', () => {
    expect(errorOf(['main)']).message).toBe('invalid glob "main)": an unmatched ")"');
  });

  it('refuses a bracket closed by the wrong closer', () => {
    expect(errorOf(['{main)']).message).toBe('invalid glob "{main)": an unmatched ")"');
  });

  it('accepts an unmatched ], which globs read as a literal character', () => {
    expect(compilePatterns(['v1]']).test('v1]')).toBe(true);
  });

  it('refuses a lone trailing backslash', () => {
    expect(errorOf(['release\\']).message).toBe('invalid glob "release\\\\": it ends with a lone backslash');
  });

  it('refuses ** followed by more of its segment', () => {
    expect(errorOf(['a/**x']).message).toBe('invalid glob "a/**x": "**" must be a whole path segment (a/**/b), else use "*"');
  });

  it('refuses ** preceded by more of its segment', () => {
    expect(errorOf(['src**/a']).message).toBe('invalid glob "src**/a": "**" must be a whole path segment (a/**/b), else use "*"');
  });

  it('refuses ***', () => {
    expect(errorOf(['***']).message).toBe('invalid glob "***": "***" means nothing more than "**"');
    expect(errorOf(['src/***/a.ts']).message).toBe('invalid glob "src/***/a.ts": "***" means nothing more than "**"');
  });

  it('accepts ** as a whole segment or a whole brace alternative', () => {
    expect(() => compilePatterns(['**', 'a/**', '**/b', 'a/**/b', '{**,docs}'])).not.toThrow();
  });

  it('names the bad pattern as written, ! included', () => {
    expect(errorOf(['!release/[0-9']).message).toBe('invalid glob "!release/[0-9": an unclosed "["');
  });

  it('gives the position of the bad pattern in its list', () => {
    expect(errorOf(['[']).index).toBe(0);
    expect(errorOf(['main', '!release/[', 'develop']).index).toBe(1);
    expect(errorOf(['main', 'release/*', '/(/']).index).toBe(2);
  });
});
