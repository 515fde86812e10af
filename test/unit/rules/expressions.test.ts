import { RE2JS } from 're2js';
import { ExpressionError, compileExpression } from '../../../lambda/rules/expressions';
import type { TemplateContext } from '../../../lambda/rules/templates';

const after = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

/** A GitHub push to main of Codertocat/Hello-World, as the rules see it. */
function pushContext(): TemplateContext {
  return {
    event: {
      source: 'github-acme',
      provider: 'github',
      kind: 'push',
      event: 'push',
      git: {
        serverUrl: 'https://github.com',
        repository: { fullName: 'Codertocat/Hello-World', name: 'Hello-World', owner: 'Codertocat' },
        branch: 'main',
        after,
      },
    },
    body: {
      ref: 'refs/heads/main',
      forced: false,
      size: 2,
      commits: [
        { id: after, message: 'Update README.md', added: [], modified: ['README.md'] },
        { id: 'a10867b14bb761a232cd80139fbd4c0d33264240', message: 'Add the build', added: ['Dockerfile'], modified: [] },
      ],
    },
    headers: { 'x-github-event': 'push', 'content-type': 'application/json' },
    query: { env: 'prod' },
  };
}

function evaluate(source: string, context: TemplateContext = pushContext()) {
  return compileExpression(source)(context);
}

function compileError(source: string): Error {
  try {
    compileExpression(source);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${source} compiled without an error`);
}

describe('results', () => {
  it('passes when the expression is true', () => {
    expect(evaluate('event.kind == "push" && event.git.branch == "main"')).toEqual({ passed: true });
  });

  it('fails with "the expression is false" when it is false', () => {
    expect(evaluate('event.git.branch == "develop"')).toEqual({ passed: false, reason: 'the expression is false' });
  });

  it('passes the literal true', () => {
    expect(evaluate('true')).toEqual({ passed: true });
  });

  it('fails the literal false', () => {
    expect(evaluate('false')).toEqual({ passed: false, reason: 'the expression is false' });
  });

  it('can be evaluated again with another delivery', () => {
    const expression = compileExpression('event.git.branch == "main"');
    const develop = pushContext();
    (develop.event as { git: { branch: string } }).git.branch = 'develop';
    expect(expression(pushContext())).toEqual({ passed: true });
    expect(expression(develop)).toEqual({ passed: false, reason: 'the expression is false' });
  });
});

describe('compile errors', () => {
  it('refuses a syntax error with an ExpressionError', () => {
    const error = compileError('event.kind ==');
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.name).toBe('ExpressionError');
    expect(error.message).toMatch(/^invalid CEL expression: Unexpected token/);
  });

  it('gives only the first line of the parser\'s message', () => {
    expect(compileError('event.kind ==').message).not.toContain('\n');
  });

  it('refuses an unknown variable, naming it', () => {
    const error = compileError('evnt.kind == "push"');
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.message).toMatch(/^invalid CEL expression: Unknown variable: evnt/);
  });

  it('refuses an int result', () => {
    const error = compileError('1 + 2');
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.message).toBe('the expression gives an int, not a bool');
  });

  it('refuses a string result', () => {
    expect(compileError('"push"').message).toBe('the expression gives a string, not a bool');
  });

  it('refuses a list result', () => {
    expect(compileError('[true]').message).toBe('the expression gives a list<bool>, not a bool');
  });

  it('refuses a null result', () => {
    expect(compileError('null').message).toBe('the expression gives a null, not a bool');
  });
});

describe('results that are not bools', () => {
  it('compiles a field of the delivery, whose type is dyn', () => {
    expect(() => compileExpression('headers["x-github-event"]')).not.toThrow();
  });

  it('fails a dyn result that is a string at run time, quoting it', () => {
    expect(evaluate('headers["x-github-event"]')).toEqual({ passed: false, reason: 'the expression gave "push", not a bool' });
  });

  it('fails a dyn result that is a JSON number, quoting it', () => {
    expect(evaluate('body.size')).toEqual({ passed: false, reason: 'the expression gave 2, not a bool' });
  });

  it('refuses a root itself, whose type is map', () => {
    expect(compileError('query').message).toBe('the expression gives a map, not a bool');
  });

  it('fails a dyn result that is a map, as JSON', () => {
    expect(evaluate('body.commits[0]')).toEqual({
      passed: false,
      reason: `the expression gave {"id":"${after}","message":"Update README.md","added":[],"modified":["README.md"]}, not a bool`,
    });
  });

  it('passes a dyn field that is true', () => {
    expect(evaluate('body.forced == false && !body.forced')).toEqual({ passed: true });
  });

  it('fails a dyn result that is a CEL int with a reason instead of throwing', () => {
    expect(evaluate('dyn(size(body.commits))')).toEqual({ passed: false, reason: 'the expression gave 2, not a bool' });
  });
});

describe('fields missing at run time', () => {
  it('fails with the reason it could not be evaluated, naming the key', () => {
    const result = evaluate('event.git.pullRequest.targetBranch == "main"');
    expect(result).toEqual({ passed: false, reason: expect.stringMatching(/^the expression could not be evaluated: .*pullRequest/) });
  });

  it('gives only the first line of the evaluation error', () => {
    const result = evaluate('query.ref == "main"');
    expect(result).toEqual({ passed: false, reason: 'the expression could not be evaluated: No such key: ref' });
  });

  it('fails a header the delivery lacks', () => {
    expect(evaluate('headers["x-gitlab-event"] == "Push Hook"')).toEqual({
      passed: false,
      reason: 'the expression could not be evaluated: No such key: x-gitlab-event',
    });
  });

  it('passes when || has a true side whatever the other side (CEL absorbs the error)', () => {
    expect(evaluate('event.git.pullRequest.merged || event.kind == "push"')).toEqual({ passed: true });
  });

  it('fails with the evaluation error for a division by zero', () => {
    expect(evaluate('body.commits.size() / 0 == 1')).toEqual({ passed: false, reason: 'the expression could not be evaluated: division by zero' });
  });
});

describe('guards for optional fields', () => {
  it('has() is true for a present field', () => {
    expect(evaluate('has(event.git.after)')).toEqual({ passed: true });
  });

  it('has() is false for a missing field', () => {
    expect(evaluate('has(event.artifact)')).toEqual({ passed: false, reason: 'the expression is false' });
  });

  it('has() guards a field with &&', () => {
    expect(evaluate('has(event.git.pullRequest) && event.git.pullRequest.targetBranch == "main"')).toEqual({
      passed: false,
      reason: 'the expression is false',
    });
  });

  it('.? with orValue gives the fallback for a missing chain', () => {
    expect(evaluate('event.?git.?pullRequest.?targetBranch.orValue("none") == "none"')).toEqual({ passed: true });
  });

  it('.? with orValue gives the value of a present chain', () => {
    expect(evaluate('event.?git.?branch.orValue("none") == "main"')).toEqual({ passed: true });
  });

  it('[?…] with orValue reads a missing header', () => {
    expect(evaluate('headers[?"x-github-hook-id"].orValue("") == ""')).toEqual({ passed: true });
  });
});

describe('headers, query and body', () => {
  it('reads a header by its lower-case name', () => {
    expect(evaluate('headers["x-github-event"] == "push"')).toEqual({ passed: true });
  });

  it('reads the query', () => {
    expect(evaluate('query.env == "prod"')).toEqual({ passed: true });
  });

  it('applies exists() over a body list', () => {
    expect(evaluate('body.commits.exists(c, c.added.exists(f, f == "Dockerfile"))')).toEqual({ passed: true });
  });

  it('applies all() over a body list', () => {
    expect(evaluate('body.commits.all(c, c.added.size() > 0)')).toEqual({ passed: false, reason: 'the expression is false' });
  });

  it('applies string functions to body fields', () => {
    expect(evaluate('body.ref.startsWith("refs/heads/") && body.commits[0].message.matches("^Update ")')).toEqual({ passed: true });
  });
});

describe('JSON numbers', () => {
  it('compare equal to int literals', () => {
    expect(evaluate('body.size == 2')).toEqual({ passed: true });
  });

  it('compare in order with int literals', () => {
    expect(evaluate('body.size > 1 && body.size < 3')).toEqual({ passed: true });
  });

  it('compare with the int that size() gives', () => {
    expect(evaluate('body.size == body.commits.size()')).toEqual({ passed: true });
  });

  it('add to double literals', () => {
    expect(evaluate('body.size + 1.0 == 3.0')).toEqual({ passed: true });
  });

  it('do not add to int literals: JSON numbers are doubles', () => {
    expect(evaluate('body.size + 1 == 3')).toEqual({
      passed: false,
      reason: 'the expression could not be evaluated: no such overload: dyn<double> + int',
    });
  });
});

describe('matches(), on RE2', () => {
  /** The push, with its ref and query replaced. */
  function withRef(ref: string, query: Record<string, unknown> = {}): TemplateContext {
    const context = pushContext();
    return { ...context, event: { ...(context.event as object), git: { ref } }, query };
  }

  it('searches the string, with RE2 syntax: anchors, classes, the (?i) flag', () => {
    expect(evaluate('body.ref.matches("^refs/heads/")')).toEqual({ passed: true });
    expect(evaluate('body.ref.matches("heads/ma")')).toEqual({ passed: true });
    expect(evaluate('body.ref.matches("^refs/tags/")')).toEqual({ passed: false, reason: 'the expression is false' });
    expect(evaluate('body.ref.matches("^refs/heads/[a-z]{4}$")')).toEqual({ passed: true });
    expect(evaluate('body.ref.matches("(?i)^REFS/HEADS/MAIN$")')).toEqual({ passed: true });
    expect(evaluate('"refs/heads/main".matches("^refs/(?P<kind>heads|tags)/")')).toEqual({ passed: true });
  });

  // JavaScript's RegExp, which cel-js's own matches() uses, took 18 s for 28 a's; the timeout only guards.
  it('decides ^(a+)+$ against a\'s and a "!" (no match), up to the longest value it matches', () => {
    for (const length of [28, 4095]) {
      expect(evaluate('event.git.ref.matches("^(a+)+$")', withRef(`${'a'.repeat(length)}!`))).toEqual({ passed: false, reason: 'the expression is false' });
    }
    expect(evaluate('event.git.ref.matches("^(a+)+$")', withRef('a'.repeat(4096)))).toEqual({ passed: true });
  }, 5_000);

  it('fails, with the reason, a string longer than 4096 characters', () => {
    expect(evaluate('event.git.ref.matches("^(a+)+$")', withRef(`${'a'.repeat(10_000)}!`))).toEqual({
      passed: false,
      reason: 'the expression could not be evaluated: event.git.ref is 10001 characters; patterns match at most 4096',
    });
  });

  it.each([
    ['event.git.branch.matches("^(a+)\\\\1$")', 'matches("^(a+)\\\\1$"): `\\1` is a backreference'],
    ["event.git.branch.matches('^release(?=/)')", 'matches("^release(?=/)"): `(?=` is a lookahead'],
    ['event.git.branch.matches(r"(?<!wip/)x")', 'matches("(?<!wip/)x"): `(?<!` is a lookbehind'],
    ['event.kind == "push" && !event.git.branch.matches("^a++$")', 'matches("^a++$"): `++` is a possessive quantifier'],
  ])('refuses %s when it compiles: a literal pattern RE2 cannot run', (source, reason) => {
    const error = compileError(source);
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.message).toBe(`invalid CEL expression: ${reason}, which RE2 (linear-time matching) does not support`);
  });

  it('compiles a pattern the delivery gives when it evaluates, and fails, with the reason, one RE2 cannot run', () => {
    const expression = compileExpression('event.git.ref.matches(query.pattern)');
    expect(expression(withRef('refs/heads/main', { pattern: '^refs/heads/' }))).toEqual({ passed: true });
    expect(expression(withRef('refs/heads/main', { pattern: '^(refs)\\1' }))).toEqual({
      passed: false,
      reason: 'the expression could not be evaluated: the pattern query.pattern is not RE2: `\\1` is a backreference, which RE2 (linear-time matching) does not support',
    });
    expect(expression(withRef('refs/heads/main', { pattern: 'a'.repeat(5000) }))).toEqual({
      passed: false,
      reason: "the expression could not be evaluated: the pattern query.pattern is 5000 characters; a delivery's patterns have at most 256",
    });
  });

  it("refuses a delivery's pattern that compiles to a large program, which every match would pay for, and compiles each pattern once", () => {
    const expression = compileExpression('body.files.exists(f, f.matches(query.pattern))');
    const files = Array.from({ length: 1000 }, (_, index) => `src/file-${index}.ts`);
    const context = (pattern: string) => ({ event: {}, body: { files }, headers: {}, query: { pattern } });
    // 248 characters that RE2 compiles to 38,003 instructions.
    const huge = `${'(?:a{0,1000})'.repeat(19)}b`;
    expect(expression(context(huge))).toEqual({
      passed: false,
      reason: "the expression could not be evaluated: the pattern query.pattern compiles to 38003 instructions; a delivery's patterns have at most 1000",
    });
    const compile = jest.spyOn(RE2JS, 'compile');
    expect(expression(context('\\.go$'))).toEqual({ passed: false, reason: 'the expression is false' });
    expect(expression(context('\\.ts$'))).toEqual({ passed: true });
    expect(expression(context(huge))).toMatchObject({ passed: false });
    expect(compile.mock.calls.map(([source]) => source)).toEqual(['\\.go$', '\\.ts$']);
    compile.mockRestore();
  });

  it('type-checks as the built-in did: strings, or values known only at run time', () => {
    expect(compileError('1.matches("a")').message).toBe("invalid CEL expression: found no matching overload for 'int.matches(string)'");
    expect(compileError('"a".matches(1)').message).toBe("invalid CEL expression: found no matching overload for 'string.matches(int)'");
    expect(evaluate('body.size.matches("2")')).toEqual({ passed: false, reason: 'the expression could not be evaluated: matches() needs a string, and body.size is not one' });
  });
});

describe("fields checked against the event's type", () => {
  function expressionError(source: string): ExpressionError {
    const error = compileError(source);
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }

  it('refuses a misspelt field, suggesting the closest and pointing at it', () => {
    const error = expressionError('event.kind == "push" && event.git.brnch == "main"');
    expect(error.message).toBe('event.git has no field "brnch"; did you mean event.git.branch?');
    expect(error.offset).toBe('event.kind == "push" && event.git.'.length);
  });

  it('refuses a misspelt field behind has(), .? and ["key"]', () => {
    expect(expressionError('has(event.git.tga)').message).toBe('event.git has no field "tga"; did you mean event.git.tag?');
    const optional = expressionError('event.?git.?pullRequest.?targetBrnch.orValue("") == "main"');
    expect(optional.message).toBe('event.git.pullRequest has no field "targetBrnch"; did you mean event.git.pullRequest.targetBranch?');
    expect(optional.offset).toBe('event.?git.?pullRequest.?'.length);
    expect(expressionError('event["git"]["brnch"] == "x"').offset).toBe('event["git"]['.length);
  });

  it('lists the fields when none is close', () => {
    expect(expressionError('event.git.sha == "x"').message).toMatch(/^event\.git has no field "sha"; its fields are serverUrl, repository, ref, /);
  });

  it('indexes a list, and refuses an index into what is not one or a field of a string', () => {
    expect(evaluate('event.git.changedFiles.added[0] == "x"', pushContext())).toEqual({
      passed: false,
      reason: 'the expression could not be evaluated: No such key: changedFiles',
    });
    expect(expressionError('event.git.changedFiles[0] == "x"').message).toBe('event.git.changedFiles is an object, not a list: it cannot be indexed with [0]');
    expect(expressionError('event.sender.name == "x"').message).toBe('event.sender is a string, which has no field "name"');
  });

  it('refuses what the type checker finds with the event typed: a field of a list item, an operator the types lack', () => {
    expect(expressionError('event.git.changedFiles.added.exists(f, f.name == "x")').message).toBe("invalid CEL expression: Cannot index type 'string'");
    expect(expressionError('event.sender + 1 == 2').message).toBe('invalid CEL expression: no such overload: string + int');
  });

  it('says to test a field with has() rather than compare it with null', () => {
    expect(expressionError('event.git.tag != null').message).toBe(
      'invalid CEL expression: no such overload: string != null; test whether a field is there with has(…)',
    );
  });

  it('refuses an expression that gives a field rather than a bool', () => {
    const error = expressionError('event.sender');
    expect(error.message).toBe('the expression gives a string, not a bool');
    expect(error.offset).toBe(0);
    expect(expressionError('event.git.pullRequest.number').message).toBe('the expression gives an int, not a bool');
    expect(expressionError('event.git.changedFiles.added').message).toBe('the expression gives a list<string>, not a bool');
    expect(expressionError('event.git.repository').message).toBe('the expression gives the object event.git.repository, not a bool');
    expect(expressionError('event.kind == "tag" ? event.git.tag : "x"').message).toBe('the expression gives a string, not a bool');
  });

  it.each([
    'body.x == "y"',
    'headers["x-y"] == "z"',
    'query.env == "prod"',
    'has(event.git.tag)',
    'event.git.branch.startsWith("release/")',
    'event.git.changedFiles.added.exists(f, f.startsWith("src/"))',
    '"README.md" in event.git.changedFiles.modified',
    'event.git.pullRequest.number > 3',
    'event.git.pullRequest.number == 3',
    'event.git.pullRequest.merged',
    'event.git.ref.matches("^refs/heads/")',
    'event.git.ref.matches(query.pattern)',
    'event.?git.?tag.orValue("") == ""',
    '!event.sender.endsWith("[bot]")',
    'body.commits.exists(event, event.id == "x")',
  ])('compiles %s', (source) => {
    expect(() => compileExpression(source)).not.toThrow();
  });

  it('evaluates as before: an absent field fails the condition with the reason, and does not throw', () => {
    expect(evaluate('event.git.pullRequest.number > 3')).toEqual({ passed: false, reason: 'the expression could not be evaluated: No such key: pullRequest' });
    expect(evaluate('event.sender.endsWith("[bot]")')).toEqual({ passed: false, reason: 'the expression could not be evaluated: No such key: sender' });
    expect(evaluate('has(event.git.tag)')).toEqual({ passed: false, reason: 'the expression is false' });
    const pullRequest = pushContext();
    (pullRequest.event as { git: Record<string, unknown> }).git.pullRequest = { number: 4, merged: true };
    expect(evaluate('event.git.pullRequest.number > 3 && event.git.pullRequest.number == 4 && event.git.pullRequest.merged', pullRequest)).toEqual({ passed: true });
  });

  it('compiles each text once', () => {
    expect(compileExpression('event.git.branch == "cached"')).toBe(compileExpression('event.git.branch == "cached"'));
  });
});
