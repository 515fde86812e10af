import {
  MissingFieldError,
  TEMPLATE_ROOTS,
  type TemplateContext,
  TemplateError,
  compileTemplate,
} from '../../../lambda/rules/templates';

const after = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

function context(): TemplateContext {
  return {
    event: {
      source: 'github-acme',
      kind: 'push',
      git: {
        serverUrl: 'https://github.com',
        repository: { fullName: 'Codertocat/Hello-World', name: 'Hello-World', owner: 'Codertocat' },
        branch: 'main',
        after,
        tag: '',
        pullRequest: null,
        changedFiles: { added: ['src/index.ts'], modified: [], removed: [] },
      },
    },
    body: {
      ref: 'refs/heads/main',
      forced: false,
      size: 0,
      commits: [{ id: after, message: 'Update README.md', distinct: true }],
    },
    headers: { 'x-github-event': 'push', 'x-github-delivery': '5ecc39b7-d405-47c5-a937-cc1e658d5686', 'x"quoted': 'yes' },
    query: { env: 'prod' },
  };
}

function render(template: string): string {
  return compileTemplate(template)(context());
}

function renderError(template: string): Error {
  const compiled = compileTemplate(template);
  try {
    compiled(context());
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${template} rendered without an error`);
}

function compileError(template: string): Error {
  try {
    compileTemplate(template);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${template} compiled without an error`);
}

it('reads the roots event, body, headers and query', () => {
  expect(TEMPLATE_ROOTS).toEqual(['event', 'body', 'headers', 'query']);
});

describe('constants', () => {
  it('gives text without placeholders unchanged', () => {
    expect(render('Triggered by the relay')).toBe('Triggered by the relay');
  });

  it('gives the empty string for an empty template', () => {
    expect(render('')).toBe('');
  });

  it('keeps a lone $ that starts no placeholder', () => {
    expect(render('cost: $5')).toBe('cost: $5');
  });

  it('turns $$ into $', () => {
    expect(render('price $$10')).toBe('price $10');
  });

  it('turns $${…} into the literal text ${…}', () => {
    expect(render('$${event.kind}')).toBe('${event.kind}');
  });
});

describe('paths', () => {
  it('walks .name steps', () => {
    expect(render('${event.git.branch}')).toBe('main');
  });

  it('replaces placeholders amid text', () => {
    expect(render('push to ${event.git.branch} of ${event.git.repository.fullName}')).toBe('push to main of Codertocat/Hello-World');
  });

  it('walks [index] and .name steps into a list', () => {
    expect(render('${body.commits[0].message}')).toBe('Update README.md');
  });

  it('walks ["key"] steps', () => {
    expect(render('${headers["x-github-event"]}')).toBe('push');
  });

  it('accepts dashes in a .name step', () => {
    expect(render('${headers.x-github-delivery}')).toBe('5ecc39b7-d405-47c5-a937-cc1e658d5686');
  });

  it('reads escapes in a ["key"] step as JSON does', () => {
    expect(render('${headers["x\\"quoted"]}')).toBe('yes');
  });

  it('mixes ["key"] and [index] steps', () => {
    expect(render('${body["commits"][0]["id"]}')).toBe(after);
  });

  it('ignores spaces around the path', () => {
    expect(render('${ query.env }')).toBe('prod');
  });
});

describe('values', () => {
  it('stringifies numbers, zero included', () => {
    expect(render('${body.size}')).toBe('0');
  });

  it('stringifies booleans, false included', () => {
    expect(render('${body.forced}')).toBe('false');
  });

  it('gives an object as JSON', () => {
    expect(render('${event.git.changedFiles}')).toBe('{"added":["src/index.ts"],"modified":[],"removed":[]}');
  });

  it('gives a list as JSON', () => {
    expect(render('${event.git.changedFiles.added}')).toBe('["src/index.ts"]');
  });

  it('gives the empty string for a field that is the empty string, without a default', () => {
    expect(render('tag=${event.git.tag}')).toBe('tag=');
  });
});

describe('defaults', () => {
  it('gives the default for a missing field', () => {
    expect(render('${event.git.commit.id:-unknown}')).toBe('unknown');
  });

  it('gives the default for a null field', () => {
    expect(render('${event.git.pullRequest:-none}')).toBe('none');
  });

  it('gives the default for an empty-string field', () => {
    expect(render('${event.git.tag:-latest}')).toBe('latest');
  });

  it('gives the default for an index past the end of a list', () => {
    expect(render('${body.commits[3].id:-none}')).toBe('none');
  });

  it('ignores the default for a field that has a value', () => {
    expect(render('${event.git.branch:-develop}')).toBe('main');
  });

  it('allows an empty default', () => {
    expect(render('[${event.git.commit.id:-}]')).toBe('[]');
  });
});

describe('missing fields', () => {
  it('throws a MissingFieldError naming the placeholder and suggesting a default', () => {
    const error = renderError('${event.git.commit.id}');
    expect(error).toBeInstanceOf(MissingFieldError);
    expect(error.name).toBe('MissingFieldError');
    expect(error.message).toBe('${event.git.commit.id} has no value in this delivery; give a default with ${event.git.commit.id:-…}');
  });

  it('counts a null field as missing', () => {
    expect(renderError('${event.git.pullRequest}').message).toBe(
      '${event.git.pullRequest} has no value in this delivery; give a default with ${event.git.pullRequest:-…}',
    );
  });

  it('counts a step into a string of the delivery as missing', () => {
    expect(renderError('${body.ref.length}')).toBeInstanceOf(MissingFieldError);
  });

  it('compiles a template with a missing field: the error is for the delivery, not the config', () => {
    expect(() => compileTemplate('${event.git.commit.id}')).not.toThrow();
  });
});

describe('inherited properties', () => {
  it.each(['${body.constructor}', '${body.toString}', '${headers.hasOwnProperty}', '${query.__proto__}', '${body["__proto__"]}', '${body.commits.map}'])(
    'counts %s as missing',
    (template) => {
      expect(renderError(template)).toBeInstanceOf(MissingFieldError);
    },
  );

  it('gives the default for an inherited property', () => {
    expect(render('${body.constructor:-none}')).toBe('none');
  });

  it.each(['${event.constructor}', '${event.toString:-x}', '${event.git.hasOwnProperty}', '${event.__proto__}'])('refuses %s: the event has no such field', (template) => {
    expect(compileError(template)).toBeInstanceOf(TemplateError);
  });
});

describe('template errors', () => {
  it('refuses an unknown root, naming it and the roots', () => {
    const error = compileError('${evnt.kind}');
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.name).toBe('TemplateError');
    expect(error.message).toBe('${evnt.kind} refers to unknown root "evnt"; the roots are event, body, headers, query');
  });

  it('refuses a path that does not start with a name', () => {
    expect(compileError('${.kind}').message).toBe('${.kind} does not start with a root (event, body, headers, query)');
  });

  it('refuses an empty placeholder', () => {
    expect(compileError('${}').message).toBe('${} does not start with a root (event, body, headers, query)');
  });

  it('refuses an empty .name step', () => {
    expect(compileError('${event..kind}').message).toBe('${event..kind} is not a path: cannot read "..kind"');
  });

  it('refuses an unquoted [key] step', () => {
    expect(compileError('${headers[x-github-event]}').message).toBe('${headers[x-github-event]} is not a path: cannot read "[x-github-event]"');
  });

  it('refuses a .name step starting with a digit', () => {
    expect(compileError('${body.commits.0}').message).toBe('${body.commits.0} is not a path: cannot read ".0"');
  });

  it('refuses an unclosed placeholder, quoting its start', () => {
    const error = compileError('build ${event.git.branch');
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toBe('unclosed placeholder at "${event.git.branch"');
  });

  it('quotes at most 20 characters of an unclosed placeholder', () => {
    expect(compileError('${event.git.repository.fullName').message).toBe('unclosed placeholder at "${event.git.reposito"');
  });

  it('checks every placeholder, not only the first', () => {
    expect(compileError('${event.kind} ${hdrs.x}').message).toBe('${hdrs.x} refers to unknown root "hdrs"; the roots are event, body, headers, query');
  });
});

describe("paths checked against the event's fields", () => {
  function templateError(template: string): TemplateError {
    const error = compileError(template);
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }

  it('refuses a misspelt field, suggesting the closest and pointing at it', () => {
    const error = templateError('ref=${event.git.reff}');
    expect(error.message).toBe('${event.git.reff}: event.git has no field "reff"; did you mean event.git.ref?');
    expect(error.offset).toBe('ref=${event.git.'.length);
  });

  it('refuses a misspelt field that has a default: it would always give the default', () => {
    const error = templateError('${ event.git.tgg:-latest}');
    expect(error.message).toBe('${event.git.tgg}: event.git has no field "tgg"; did you mean event.git.tag?');
    expect(error.offset).toBe('${ event.git.'.length);
  });

  it('lists the fields when none is close', () => {
    expect(templateError('${event.git.pipeline.duration}').message).toBe(
      '${event.git.pipeline.duration}: event.git.pipeline has no field "duration"; its fields are id, status, url',
    );
  });

  it('checks ["key"] steps as fields', () => {
    expect(templateError('${event["git"]["brnch"]}').message).toBe('${event["git"]["brnch"]}: event.git has no field "brnch"; did you mean event.git.branch?');
  });

  it('indexes a list, and refuses an index into what is not one', () => {
    expect(render('${event.git.changedFiles.added[0]}')).toBe('src/index.ts');
    const error = templateError('${event.git.changedFiles[0]}');
    expect(error.message).toBe('${event.git.changedFiles[0]}: event.git.changedFiles is an object, not a list: it cannot be indexed with [0]');
    expect(error.offset).toBe('${event.git.changedFiles['.length);
  });

  it('refuses a field of a string, and of a list item', () => {
    expect(templateError('${event.kind.length}').message).toBe('${event.kind.length}: event.kind is a string, which has no field "length"');
    expect(templateError('${event.git.changedFiles.added[0].name}').message).toBe(
      '${event.git.changedFiles.added[0].name}: event.git.changedFiles.added[0] is a string, which has no field "name"',
    );
  });

  it('accepts an object or a list as a whole: it renders as JSON', () => {
    expect(() => compileTemplate('${event.git.repository} ${event.git.changedFiles.removed}')).not.toThrow();
  });

  it('accepts any path of body, headers and query: they are the delivery\'s', () => {
    expect(() => compileTemplate('${body.anything[3]["odd key"].deeper} ${headers.x-anything} ${query.whatever:-none}')).not.toThrow();
  });

  it('points at the placeholder of an unknown root, and at what it cannot read', () => {
    expect(templateError('a ${evnt.kind}').offset).toBe(4);
    expect(templateError('a ${ body..x}').offset).toBe(9);
    expect(templateError('a ${event.kind').offset).toBe(2);
  });
});
