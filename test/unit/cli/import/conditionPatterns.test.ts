import { exactly, isAnchored, patternProblem, regex, unanchoredNote } from '../../../../cli/import/conditionPatterns';
import { compilePatterns } from '../../../../lambda/rules/patterns';

const matches = (pattern: string, value: string, path = false) => compilePatterns([pattern], { basename: path }).test(value);

describe('exactly', () => {
  it('keeps a plain name as it is: the relay reads it literally', () => {
    expect(exactly('main')).toBe('main');
    expect(exactly('Codertocat/Hello-World')).toBe('Codertocat/Hello-World');
    expect(exactly('release-1.2')).toBe('release-1.2');
    expect(exactly('src/main/App.java', { path: true })).toBe('src/main/App.java');
  });

  it('anchors a name with glob characters, a leading ! or the /…/ form, so that it matches only itself', () => {
    for (const value of ['release/*', 'feature/[x]', '!main', '/weird/', 'a+b', 'v{1,2}', 'dollar$', 'back\\slash', 'with space']) {
      const pattern = exactly(value);
      expect(pattern).toMatch(/^\/\^.*\$\/$/);
      expect(matches(pattern, value)).toBe(true);
    }
    expect(matches(exactly('release/*'), 'release/1.0')).toBe(false);
    expect(matches(exactly('!main'), 'develop')).toBe(false);
    expect(matches(exactly('a+b'), 'aab')).toBe(false);
  });

  it('makes a path without a slash the file at the top of the repository, not a file of that name anywhere', () => {
    const pattern = exactly('README.md', { path: true });
    expect(pattern).toBe('/^README\\.md$/');
    expect(matches(pattern, 'README.md', true)).toBe(true);
    expect(matches(pattern, 'docs/README.md', true)).toBe(false);
    expect(matches(pattern, 'READMEXmd', true)).toBe(false);
    // Without exactly(), the relay would match it anywhere, as .gitignore does.
    expect(matches('README.md', 'docs/README.md', true)).toBe(true);
  });

  it('a path with a slash matches the whole path only', () => {
    expect(matches(exactly('src/app.js', { path: true }), 'src/app.js', true)).toBe(true);
    expect(matches(exactly('src/app.js', { path: true }), 'lib/src/app.js', true)).toBe(false);
    expect(matches(exactly('src/*.js', { path: true }), 'src/a.js', true)).toBe(false);
    expect(matches(exactly('src/*.js', { path: true }), 'src/*.js', true)).toBe(true);
  });

  it('ignores case when asked (Bitbucket Data Center project keys)', () => {
    const pattern = exactly('prj/repo', { ignoreCase: true });
    expect(pattern).toBe('/^prj/repo$/i');
    expect(matches(pattern, 'PRJ/repo')).toBe(true);
    expect(matches(pattern, 'PRJ/repo2')).toBe(false);
  });
});

describe('regex', () => {
  it('writes Code Stream’s regular expression between slashes, as written, and the relay finds it anywhere', () => {
    expect(regex('\\.md$')).toBe('/\\.md$/');
    expect(matches(regex('\\.md$'), 'docs/a.md', true)).toBe(true);
    expect(matches(regex('^library/.+'), 'library/nginx')).toBe(true);
    expect(matches(regex('tag1'), 'tag10')).toBe(true);
  });

  it('isAnchored tells a whole-value expression from one found anywhere', () => {
    expect(isAnchored('^v[0-9]+$')).toBe(true);
    expect(isAnchored('^v[0-9]+')).toBe(false);
    expect(isAnchored('tag1')).toBe(false);
    expect(unanchoredNote(['tagNamePattern "tag1"'])).toMatch(/^tagNamePattern "tag1": carried over as written.*add \^ and \$$/);
  });
});

describe('patternProblem', () => {
  it('says why RE2 cannot run a Java regular expression', () => {
    expect(patternProblem(regex('^library/(?!test-).+'))).toMatch(/invalid regular expression .*lookahead/);
    expect(patternProblem(regex('(a)\\1'))).toMatch(/backreference/);
    expect(patternProblem(regex('^v[0-9]+$'))).toBeUndefined();
    expect(patternProblem(exactly('README.md', { path: true }), { path: true })).toBeUndefined();
  });
});
