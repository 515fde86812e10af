import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigError, ConfigProblem } from '../../../lambda/config/ConfigError';
import { loadConfig, parseConfig } from '../../../lambda/config/loadConfig';
import { configProblems } from '../../support/configProblems';

const FILE = 'relay.config.yaml';

const HEAD = `codestream:
  url: https://vra.example.com
  auth: refreshToken
  secret: codestream/relay
sources:
  github:
    provider: github
    secrets: [webhooks/github]
rules:
`;

const problems = (text: string): string[] => configProblems(text, FILE);

function rule(body: string): string {
  return `${HEAD}  - name: build
    pipeline: { project: demo, name: build }
${body}`;
}

it('accepts the example config', () => {
  const { config, engine } = loadConfig(path.join(__dirname, '../../../relay.config.yaml'));
  expect(Object.keys(config.sources)).toContain('github');
  expect(engine.size).toBe(config.rules.length);
});

it('accepts a minimal config, in JSON too', () => {
  expect(parseConfig(rule(''), FILE).engine.size).toBe(1);
  const json = JSON.stringify({
    codestream: { url: 'https://vra.example.com', auth: 'apiToken', secret: 's' },
    sources: { hub: { provider: 'dockerhub', secrets: ['t'] } },
    rules: [{ name: 'r', pipeline: { id: 'p' } }],
  });
  expect(parseConfig(json, 'relay.config.json').config.codestream.auth).toBe('apiToken');
});

describe('names the file, the line, the rule and the field', () => {
  it('an unknown key', () => {
    expect(problems(rule('    when:\n      branchs: [main]\n'))).toEqual([
      'relay.config.yaml:13:7: rule "build": rules[0].when.branchs: unknown key "branchs"',
    ]);
  });

  it('a missing key, and unknown keys at the top and in the target', () => {
    expect(problems(`${HEAD.replace('  secret:', '  secrte:')}  []\nextra: 1\n`)).toEqual([
      'relay.config.yaml:1:1: codestream: missing required key "secret"',
      'relay.config.yaml:4:3: codestream.secrte: unknown key "secrte"',
      'relay.config.yaml:11:1: extra: unknown key "extra"',
    ]);
  });

  it('a bad regular expression', () => {
    expect(problems(rule('    when:\n      tags: ["v*", "/^v(\\\\d+$/"]\n'))).toEqual([
      'relay.config.yaml:13:20: rule "build": rules[0].when.tags[1]: invalid regular expression "/^v(\\\\d+$/": missing closing ): `^v(\\d+$`',
    ]);
  });

  it('regular expressions RE2 cannot run, in patterns and in matches(), with the other problems', () => {
    const text = `${HEAD}  - name: build
    pipeline: { project: demo, name: build }
    when:
      branches: [main, "/^(a+)\\\\1$/"]
      tags: ["/^v(?=\\\\d)/"]
      expression: 'event.git.branch.matches("^(?<!wip/)x")'
  - name: deploy
    pipeline: { id: p1 }
    when:
      sources: [gitlab]
      expression: 'event.sender.matches("^(?!dependabot)") && event.git.ref.matches(headers["x-pattern"])'
`;
    const unsupported = 'which RE2 (linear-time matching) does not support';
    expect(problems(text)).toEqual([
      `relay.config.yaml:13:24: rule "build": rules[0].when.branches[1]: invalid regular expression "/^(a+)\\\\1$/": \`\\1\` is a backreference, ${unsupported}`,
      `relay.config.yaml:14:14: rule "build": rules[0].when.tags[0]: invalid regular expression "/^v(?=\\\\d)/": \`(?=\` is a lookahead, ${unsupported}`,
      `relay.config.yaml:15:7: rule "build": rules[0].when.expression: invalid CEL expression: matches("^(?<!wip/)x"): \`(?<!\` is a lookbehind, ${unsupported}`,
      'relay.config.yaml:19:17: rule "deploy": rules[1].when.sources[0]: unknown source "gitlab"; the sources are github',
      `relay.config.yaml:20:7: rule "deploy": rules[1].when.expression: invalid CEL expression: matches("^(?!dependabot)"): \`(?!\` is a lookahead, ${unsupported}`,
    ]);
  });

  it('a bad glob', () => {
    expect(problems(rule('    when:\n      branches: [main, "release/[0-9"]\n'))).toEqual([
      'relay.config.yaml:13:24: rule "build": rules[0].when.branches[1]: invalid glob "release/[0-9": an unclosed "["',
    ]);
  });

  it('an unknown source', () => {
    expect(problems(rule('    when:\n      sources: [github, gitlab]\n'))).toEqual([
      'relay.config.yaml:13:25: rule "build": rules[0].when.sources[1]: unknown source "gitlab"; the sources are github',
    ]);
  });

  it('an unknown provider', () => {
    expect(problems(`${HEAD.replace('provider: github', 'provider: gitbucket')}  []\n`)).toEqual([
      'relay.config.yaml:7:5: sources.github.provider: "gitbucket" is not one of github, gitlab, bitbucket-cloud, bitbucket-server, gitea, forgejo, gerrit, azure-devops, dockerhub, harbor, jfrog-artifactory, nexus, quay, aws-ecr, generic',
    ]);
  });

  it('a pipeline with neither an id nor a project and name', () => {
    const text = `${HEAD}  - name: build\n    pipeline: { project: demo }\n  - name: deploy\n    pipeline: { id: p1, name: deploy }\n`;
    expect(problems(text)).toEqual([
      'relay.config.yaml:11:5: rule "build": rules[0].pipeline: needs either id, or project and name (and nothing else)',
      'relay.config.yaml:13:5: rule "deploy": rules[1].pipeline: needs either id, or project and name (and nothing else)',
    ]);
  });

  it('a template that refers to an unknown root, at the root', () => {
    expect(problems(rule('    input:\n      REF: ${evnt.git.ref}\n'))).toEqual([
      'relay.config.yaml:13:14: rule "build": rules[0].input.REF: ${evnt.git.ref} refers to unknown root "evnt"; the roots are event, body, headers, query',
    ]);
  });

  it('duplicate rule names', () => {
    const text = `${HEAD}  - name: build\n    pipeline: { id: a }\n  - name: build\n    pipeline: { id: b }\n`;
    expect(problems(text)).toEqual(['relay.config.yaml:12:5: rule "build": rules[1].name: the name is already used by rules[0]']);
  });

  it('an invalid CEL expression', () => {
    expect(problems(rule('    when:\n      expression: event.kind ==\n'))).toEqual([
      'relay.config.yaml:13:7: rule "build": rules[0].when.expression: invalid CEL expression: Unexpected token: EOF',
    ]);
  });

  it('an event kind that does not exist', () => {
    expect(problems(rule('    when:\n      events: [push, merge]\n'))).toEqual([
      'relay.config.yaml:13:22: rule "build": rules[0].when.events[1]: "merge" is not one of push, tag, create, delete, pull_request, pipeline, release, artifact_push, artifact_delete, artifact_scan, ping, other',
    ]);
  });

  it("a provider option the provider does not take, and one of the wrong type", () => {
    const text = `${HEAD.replace('secrets: [webhooks/github]', 'secrets: [webhooks/github]\n    options: { tokenQuery: t }')}  []\n`;
    expect(problems(text)).toEqual(['relay.config.yaml:9:16: sources.github.options.tokenQuery: unknown key "tokenQuery"']);
    const dockerhub = `${HEAD.replace('provider: github', 'provider: dockerhub').replace('secrets: [webhooks/github]', 'secrets: [s]\n    options: { tokenQuery: 7 }')}  []\n`;
    expect(problems(dockerhub)).toEqual(['relay.config.yaml:9:16: sources.github.options.tokenQuery: must be a string']);
  });

  it('a source without secrets, except ECR fed straight by EventBridge', () => {
    expect(problems(`${HEAD.replace('secrets: [webhooks/github]', 'secrets: []')}  []\n`)).toEqual([
      'relay.config.yaml:8:5: sources.github.secrets: a github source needs at least one secret',
    ]);
    expect(() => parseConfig(`${HEAD.replace('provider: github', 'provider: aws-ecr').replace('secrets: [webhooks/github]', 'secrets: []')}  []\n`, FILE)).not.toThrow();
  });

  it('invalid YAML', () => {
    expect(problems(`${HEAD}  - name: build\n    pipeline: { id: a\n`)).toEqual([expect.stringMatching(/^relay\.config\.yaml:1[12]:\d+: invalid YAML: /)]);
    expect(problems(`${HEAD}  []\nsources: {}\n`)).toEqual([expect.stringMatching(/^relay\.config\.yaml:11:1: invalid YAML: Map keys must be unique/)]);
  });

  it('every problem at once', () => {
    const text = rule('    when:\n      branches: ["["]\n      tags: ["/(/"]\n    input:\n      A: ${nope}\n');
    expect(problems(text)).toHaveLength(3);
  });
});

it('says when the file cannot be read', () => {
  let thrown: ConfigError | undefined;
  try {
    loadConfig('/nonexistent/relay.config.yaml');
  } catch (error) {
    thrown = error as ConfigError;
  }
  expect(thrown?.problems).toEqual([
    expect.objectContaining({ file: '/nonexistent/relay.config.yaml', message: expect.stringMatching(/^cannot read the config: ENOENT/) }),
  ] satisfies Partial<ConfigProblem>[]);
});

it('reads a file from disk with the same checks', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'relay.config.yaml');
  writeFileSync(file, rule('    when:\n      branches: ["{a,b"]\n'));
  expect(() => loadConfig(file)).toThrow(`${file}:13:18: rule "build": rules[0].when.branches[0]: invalid glob "{a,b": an unclosed "{"`);
});

it('locates problems in a JSON config by line too', () => {
  const json = JSON.stringify(
    {
      codestream: { url: 'https://vra.example.com', auth: 'refreshToken', secret: 's' },
      sources: { hub: { provider: 'dockerhub', secrets: ['t'] } },
      rules: [{ name: 'r', pipeline: { id: 'p' }, when: { imageTags: ['v*', '/(/'] } }],
    },
    null,
    2,
  );
  expect(problems(json)).toEqual([
    'relay.config.yaml:24:11: rule "r": rules[0].when.imageTags[1]: invalid regular expression "/(/": missing closing ): `(`',
  ]);
});

describe("templates and expressions checked against the event's fields", () => {
  it('a misspelt template field: the rule, the field, the line and column of the field, the closest known field', () => {
    expect(problems(rule('    input:\n      GIT_REF: ${event.git.reff}\n      BY: "pushed by ${event.sendr:-someone}"\n'))).toEqual([
      'relay.config.yaml:13:28: rule "build": rules[0].input.GIT_REF: ${event.git.reff}: event.git has no field "reff"; did you mean event.git.ref?',
      'relay.config.yaml:14:30: rule "build": rules[0].input.BY: ${event.sendr}: event has no field "sendr"; did you mean event.sender?',
    ]);
  });

  it('a misspelt field in tags, comments and source', () => {
    const text = rule("    comments: 'by ${event.sender} at ${event.occuredAt}'\n    tags: [ci, '${event.git.repository.fullname}']\n    source: ${event.provder}\n");
    expect(problems(text)).toEqual([
      'relay.config.yaml:12:46: rule "build": rules[0].comments: ${event.occuredAt}: event has no field "occuredAt"; did you mean event.occurredAt?',
      'relay.config.yaml:13:40: rule "build": rules[0].tags[1]: ${event.git.repository.fullname}: event.git.repository has no field "fullname"; did you mean event.git.repository.fullName?',
      'relay.config.yaml:14:21: rule "build": rules[0].source: ${event.provder}: event has no field "provder"; did you mean event.provider?',
    ]);
  });

  it('a misspelt CEL field, at the field', () => {
    expect(problems(rule(`    when:\n      expression: 'event.kind == "push" && event.git.brnch == "main"'\n`))).toEqual([
      'relay.config.yaml:13:54: rule "build": rules[0].when.expression: event.git has no field "brnch"; did you mean event.git.branch?',
    ]);
  });

  it('an expression that is not a bool, at its start', () => {
    expect(problems(rule('    when:\n      expression: event.sender\n'))).toEqual([
      'relay.config.yaml:13:19: rule "build": rules[0].when.expression: the expression gives a string, not a bool',
    ]);
  });

  it('a value written over lines or with escapes: the problem is where the value starts', () => {
    const folded = rule('    when:\n      expression: >-\n        event.kind == "push" &&\n        event.git.brnch == "main"\n');
    expect(problems(folded)).toEqual([expect.stringMatching(/^relay\.config\.yaml:13:19: rule "build": rules\[0\]\.when\.expression: event\.git has no field "brnch"/)]);
    const escaped = rule('    input:\n      A: "\\u0041 ${event.git.reff}"\n');
    expect(problems(escaped)).toEqual([expect.stringMatching(/^relay\.config\.yaml:13:10: rule "build": rules\[0\]\.input\.A: \$\{event\.git\.reff\}/)]);
  });

  it('in a JSON config, at the field too', () => {
    const json = JSON.stringify(
      {
        codestream: { url: 'https://vra.example.com', auth: 'refreshToken', secret: 's' },
        sources: { hub: { provider: 'github', secrets: ['t'] } },
        rules: [{ name: 'r', pipeline: { id: 'p' }, input: { REF: 'ref ${event.git.reff}' } }],
      },
      null,
      2,
    );
    expect(problems(json)).toEqual(['relay.config.yaml:22:33: rule "r": rules[0].input.REF: ${event.git.reff}: event.git has no field "reff"; did you mean event.git.ref?']);
  });

  it('accepts any field of body, headers and query, and indexes lists of the event', () => {
    const text = rule(
      '    when:\n' +
        '      expression: \'body.x == "y" && headers["x-y"] == "z" && event.git.changedFiles.added.exists(f, f.startsWith("src/"))\'\n' +
        '    input:\n' +
        '      FIRST: ${event.git.changedFiles.added[0]:-none}\n' +
        '      ANY: ${body.whatever[2].deep} ${headers.x-anything} ${query.q:-}\n',
    );
    expect(parseConfig(text, FILE).engine.size).toBe(1);
  });
});

describe('schema problems and the other checks, in one pass', () => {
  it('reports both, in file order, each once', () => {
    const text = `${HEAD}  - name: build
    pipeline: { project: demo, name: build }
    when:
      branchs: [main]
      sources: [github, gitlab]
      expression: 'event.git.brnch == "main"'
    input:
      REF: \${event.git.reff}
      COUNT: 3
    tags: [ci, 7]
  - name: build
    pipeline: { id: p }
    nativeInput: maybe
    comments: \${event.sendr}
`;
    expect(problems(text)).toEqual([
      'relay.config.yaml:13:7: rule "build": rules[0].when.branchs: unknown key "branchs"',
      'relay.config.yaml:14:25: rule "build": rules[0].when.sources[1]: unknown source "gitlab"; the sources are github',
      'relay.config.yaml:15:30: rule "build": rules[0].when.expression: event.git has no field "brnch"; did you mean event.git.branch?',
      'relay.config.yaml:17:24: rule "build": rules[0].input.REF: ${event.git.reff}: event.git has no field "reff"; did you mean event.git.ref?',
      'relay.config.yaml:18:7: rule "build": rules[0].input.COUNT: must be a string',
      'relay.config.yaml:19:16: rule "build": rules[0].tags[1]: must be a string',
      'relay.config.yaml:20:5: rule "build": rules[1].name: the name is already used by rules[0]',
      'relay.config.yaml:22:5: rule "build": rules[1].nativeInput: must be a boolean',
      'relay.config.yaml:23:23: rule "build": rules[1].comments: ${event.sendr}: event has no field "sendr"; did you mean event.sender?',
    ]);
  });

  it('checks the rules of a file whose other parts fail the schema', () => {
    const text = `codestream:
  url: not a url
sources:
  github:
    provider: gitbucket
    secrets: []
  gitlab: nothing
rules:
  - just a string
  - name: build
    pipeline: { id: p }
    when: { sources: [github, gitlab, svn] }
    input: { A: '\${event.git.reff}' }
`;
    expect(problems(text)).toEqual([
      'relay.config.yaml:1:1: codestream: missing required key "auth"',
      'relay.config.yaml:1:1: codestream: missing required key "secret"',
      'relay.config.yaml:2:3: codestream.url: "not a url" does not match ^https?://',
      'relay.config.yaml:2:3: codestream.url: must be a valid uri',
      'relay.config.yaml:5:5: sources.github.provider: "gitbucket" is not one of github, gitlab, bitbucket-cloud, bitbucket-server, gitea, forgejo, gerrit, azure-devops, dockerhub, harbor, jfrog-artifactory, nexus, quay, aws-ecr, generic',
      'relay.config.yaml:7:3: sources.gitlab: must be an object',
      'relay.config.yaml:9:5: rules[0]: must be an object',
      'relay.config.yaml:12:39: rule "build": rules[1].when.sources[2]: unknown source "svn"; the sources are github, gitlab',
      'relay.config.yaml:13:30: rule "build": rules[1].input.A: ${event.git.reff}: event.git has no field "reff"; did you mean event.git.ref?',
    ]);
  });

  it('a file that is not a mapping has only the schema problem', () => {
    expect(problems('- a\n- b\n')).toEqual(['relay.config.yaml:1:1: must be an object']);
  });
});

it('does not call the sources of rules unknown when the file has no mapping of sources', () => {
  const text = `${HEAD.replace('sources:\n  github:\n    provider: github\n    secrets: [webhooks/github]\n', 'sources: [github]\n')}  - name: build
    pipeline: { id: p }
    when: { sources: [github] }
`;
  expect(problems(text)).toEqual(['relay.config.yaml:5:1: sources: must be an object']);
});
