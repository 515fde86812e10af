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

  it('gives the same answer each time a value is tested with the g flag', () => {
    const list = compilePatterns(['/^release/g']);
    expect([list.test('release/1.0'), list.test('release/1.0'), list.test('release/1.0')]).toEqual([true, true, true]);
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
    expect(errorOf(['/(/']).message).toMatch(/^invalid regular expression "\/\(\/": .*Unterminated group/);
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
