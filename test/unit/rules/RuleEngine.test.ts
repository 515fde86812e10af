import { parseConfig } from '../../../lambda/config/loadConfig';
import { RuleEngine } from '../../../lambda/rules/RuleEngine';
import { fixtureDeliveries, fixtureDelivery } from '../../support/deliveries';
import { fixtureNames } from '../../support/webhookFixtures';

const HEAD = `codestream: { url: https://vra.example.com, auth: refreshToken, secret: s }
sources:
  github: { provider: github, secrets: [a] }
  gitlab: { provider: gitlab, secrets: [a] }
  dockerhub: { provider: dockerhub, secrets: [a] }
rules:
`;

function engine(rules: string): RuleEngine {
  return parseConfig(HEAD + rules, 'test.yaml').engine;
}

const PUSH = 'github/push.branch-created';
const DELIVERY_TAG = 'delivery:5ecc39b7-d405-47c5-a937-cc1e658d5686';
const RULE_TAG = 'rule:build';

describe('matching', () => {
  it('gives every matching rule its own request, in config order', () => {
    const rules = engine(`
  - { name: b-second, when: { events: [push] }, pipeline: { id: p2 } }
  - { name: a-first, when: { branches: [master] }, pipeline: { project: demo, name: build } }
  - { name: never, when: { events: [tag] }, pipeline: { id: p3 } }
`);
    const matches = rules.match(fixtureDelivery(PUSH));
    expect(matches.map((match) => [match.rule, match.pipeline])).toEqual([
      ['b-second', { id: 'p2' }],
      ['a-first', { project: 'demo', name: 'build' }],
    ]);
  });

  it('builds the request: native inputs, rule inputs on top, a sentence, the source and the delivery tag', () => {
    const [match] = engine(`
  - name: build
    pipeline: { id: p1 }
    input: { GIT_BRANCH_NAME: "override-\${event.git.branch}", EXTRA: "\${body.head_commit.author.email}" }
`).match(fixtureDelivery(PUSH));
    expect(match).toEqual({
      rule: 'build',
      pipeline: { id: 'p1' },
      request: {
        comments: 'push to master by Codertocat',
        input: {
          GIT_BRANCH_NAME: 'override-master',
          GIT_COMMIT_ID: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          GIT_CHANGE_SUBJECT: 'Initial commit',
          GIT_EVENT_OWNER_NAME: 'Codertocat',
          GIT_EVENT_DESCRIPTION: 'push to master by Codertocat',
          GIT_EVENT_TIMESTAMP: '2019-05-15T15:19:25.000Z',
          GIT_REPO_NAME: 'Codertocat/Hello-World',
          GIT_SERVER_URL: 'https://github.com',
          EXTRA: '21031067+Codertocat@users.noreply.github.com',
        },
        source: 'webhook-relay:github',
        tags: [DELIVERY_TAG, RULE_TAG],
      },
    });
  });

  it('sends only the rule inputs with nativeInput off, and templated comments, tags and source', () => {
    const [match] = engine(`
  - name: build
    pipeline: { id: p1 }
    nativeInput: false
    input: { REF: "\${event.git.ref}", COST: "$$5" }
    comments: "\${event.sender} pushed \${event.git.commit.id}"
    tags: ["repo:\${event.git.repository.name}", "", "${DELIVERY_TAG}"]
    source: "relay/\${headers.x-github-hook-id}"
`).match(fixtureDelivery(PUSH));
    expect(match).toMatchObject({
      request: {
        comments: 'Codertocat pushed 6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        input: { REF: 'refs/heads/master', COST: '$5' },
        source: 'relay/292430182',
        tags: ['repo:Hello-World', DELIVERY_TAG, RULE_TAG],
      },
    });
  });

  it('reports a template that needs a missing field as that rule’s error, and still matches the others', () => {
    const rules = engine(`
  - { name: needs-tag, pipeline: { id: p1 }, input: { TAG: "\${event.git.tag}" } }
  - { name: has-default, pipeline: { id: p2 }, input: { TAG: "\${event.git.tag:-none}" } }
`);
    const delivery = fixtureDelivery(PUSH);
    expect(rules.match(delivery)).toEqual([
      {
        rule: 'needs-tag',
        pipeline: { id: 'p1' },
        error: 'input.TAG: ${event.git.tag} has no value in this delivery; give a default with ${event.git.tag:-…}',
      },
      expect.objectContaining({ rule: 'has-default', request: expect.objectContaining({ input: expect.objectContaining({ TAG: 'none' }) }) }),
    ]);
    expect(rules.explain(delivery)[0]).toEqual({
      rule: 'needs-tag',
      matched: true,
      reason: 'input.TAG: ${event.git.tag} has no value in this delivery; give a default with ${event.git.tag:-…}',
      pipeline: { id: 'p1' },
      request: null,
    });
  });

  it('explains each miss by its first failing condition', () => {
    const decisions = engine(`
  - { name: wrong-source, when: { sources: [gitlab], events: [tag] }, pipeline: { id: p1 } }
  - { name: wrong-branch, when: { events: [push], branches: [main, "release/*"] }, pipeline: { id: p1 } }
  - { name: no-tag, when: { tags: ["v*"] }, pipeline: { id: p1 } }
  - { name: false-expression, when: { expression: 'event.sender == "someone-else"' }, pipeline: { id: p1 } }
`).explain(fixtureDelivery(PUSH));
    expect(decisions.map((decision) => [decision.rule, decision.matched, decision.reason, decision.pipeline, decision.request])).toEqual([
      ['wrong-source', false, 'when.sources: source "github" is not one of gitlab', null, null],
      ['wrong-branch', false, 'when.branches: branch "master" does not match main, release/*', null, null],
      ['no-tag', false, 'when.tags: the event has no tag', null, null],
      ['false-expression', false, 'when.expression: the expression is false', null, null],
    ]);
  });

  it('selects releases by kind, tag pattern and expression, with the release name as the change subject', () => {
    const rules = engine(`
  - { name: releases, when: { events: [release], tags: ["v*"] }, pipeline: { id: p1 } }
  - { name: prereleases, when: { events: [release], expression: 'event.git.release.prerelease == true' }, pipeline: { id: p2 } }
  - { name: tag-pushes, when: { events: [tag], tags: ["v*"] }, pipeline: { id: p3 } }
`);
    const [match, ...others] = rules.match(fixtureDelivery('gitlab/release.create'));
    expect(others).toEqual([]);
    expect(match).toMatchObject({
      rule: 'releases',
      request: {
        comments: 'release v1.1 created',
        input: expect.objectContaining({ GIT_COMMIT_ID: 'ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8', GIT_CHANGE_SUBJECT: 'v1.1' }),
      },
    });
    expect(rules.explain(fixtureDelivery('github/release.prereleased')).map((decision) => [decision.rule, decision.matched, decision.reason])).toEqual([
      ['releases', false, 'when.tags: tag "0.0.1" does not match v*'],
      ['prereleases', true, null],
      ['tag-pushes', false, 'when.events: event kind "release" is not one of tag'],
    ]);
  });

  it('indexes exact repositories and images, and still matches globs, across sources and kinds', () => {
    const rules = engine(`
  - { name: exact-repo, when: { repositories: [Codertocat/Hello-World] }, pipeline: { id: p1 } }
  - { name: other-repo, when: { repositories: [acme/app] }, pipeline: { id: p2 } }
  - { name: glob-repo, when: { repositories: ["Codertocat/*"], events: [push, tag] }, pipeline: { id: p3 } }
  - { name: exact-image, when: { sources: [dockerhub], images: [svendowideit/testhook] }, pipeline: { id: p4 } }
  - { name: both-lists, when: { repositories: [acme/app, Codertocat/Hello-World], sources: [github, gitlab] }, pipeline: { id: p5 } }
`);
    expect(rules.match(fixtureDelivery(PUSH)).map((match) => match.rule)).toEqual(['exact-repo', 'glob-repo', 'both-lists']);
    expect(rules.match(fixtureDelivery('dockerhub/push')).map((match) => match.rule)).toEqual(['exact-image']);
    expect(rules.match(fixtureDelivery('github/pull_request.opened')).map((match) => match.rule)).toEqual(['exact-repo', 'both-lists']);
  });
});

describe('sender-chosen values against catastrophic patterns', () => {
  const rules = engine(`
  - { name: nested, when: { branches: ["/^(a+)+$/"] }, pipeline: { id: p1 } }
  - { name: nested-cel, when: { expression: 'event.git.branch.matches("^(a+)+$")' }, pipeline: { id: p2 } }
  - { name: many-stars, when: { branches: ["**/*a*a*a*a*b"] }, pipeline: { id: p3 } }
`);

  /** The stored GitHub push, to a branch of the given name. */
  function pushTo(branch: string) {
    const delivery = fixtureDelivery(PUSH);
    return { ...delivery, event: { ...delivery.event, git: { ...delivery.event.git!, branch } } };
  }

  // Each decision is a hang on a backtracking RegExp; the timeout only guards.
  it('decides the branch of the issue, 28 a\'s and a "!", and one up to 4096 characters, in match and explain', () => {
    for (const branch of [`${'a'.repeat(28)}!`, `${'a'.repeat(4095)}!`]) {
      expect(rules.match(pushTo(branch))).toEqual([]);
      expect(rules.explain(pushTo(branch)).map((decision) => decision.reason)).toEqual([
        `when.branches: branch "${branch}" does not match /^(a+)+$/`,
        'when.expression: the expression is false',
        `when.branches: branch "${branch}" does not match **/*a*a*a*a*b`,
      ]);
    }
  }, 5_000);

  it('gives a branch longer than 4096 characters that reason, for every kind of pattern', () => {
    const reason = 'branch is 10001 characters; patterns match at most 4096';
    expect(rules.explain(pushTo(`${'a'.repeat(10_000)}!`)).map((decision) => decision.reason)).toEqual([
      `when.branches: ${reason}`,
      `when.expression: the expression could not be evaluated: event.git.${reason}`,
      `when.branches: ${reason}`,
    ]);
  });
});

describe('the index agrees with checking every rule in turn', () => {
  // Rules built from every kind of selector, over the repositories, images and sources of the corpus.
  const repositories = ['Codertocat/Hello-World', 'gitlab-org/gitlab-test', 'jsmith/example', 'acme/app', 'Codertocat/*', '/^git/', '!acme/*'];
  const images = ['svendowideit/testhook', 'library/*', 'dgangaia/repository', 'my-repository-name', '**'];
  const sources = ['github', 'gitlab', 'dockerhub'];
  const kinds = ['push', 'tag', 'pull_request', 'artifact_push', 'pipeline', 'ping'];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(list: readonly T[], count: number): T[] => [...new Set(Array.from({ length: count }, () => list[Math.floor(random() * list.length)]!))];
  const rules = Array.from({ length: 400 }, (_unused, index) => {
    const when: string[] = [];
    if (random() < 0.5) when.push(`sources: [${pick(sources, 2).join(', ')}]`);
    if (random() < 0.6) when.push(`events: [${pick(kinds, 2).join(', ')}]`);
    if (random() < 0.5) when.push(`repositories: [${pick(repositories, 2).map((p) => JSON.stringify(p)).join(', ')}]`);
    else if (random() < 0.4) when.push(`images: [${pick(images, 2).map((p) => JSON.stringify(p)).join(', ')}]`);
    if (random() < 0.2) when.push('branches: [master, main]');
    return `  - { name: rule-${index}, pipeline: { id: p${index} }${when.length ? `, when: { ${when.join(', ')} }` : ''} }`;
  }).join('\n');
  const compiled = engine(rules);

  it.each(fixtureNames().filter((name) => !name.includes('docs-data-only')))('%s', (name) => {
    for (const delivery of fixtureDeliveries(name)) {
      const indexed = compiled.match(delivery).map((match) => match.rule);
      const everyRule = compiled.explain(delivery).filter((decision) => decision.matched).map((decision) => decision.rule);
      expect(indexed).toEqual(everyRule);
    }
  });

  it('is not vacuous: the corpus matches a good share of the rules', () => {
    const matched = new Set(fixtureNames().filter((name) => !name.includes('docs-data-only')).flatMap((name) => fixtureDeliveries(name).flatMap((delivery) => compiled.match(delivery).map((match) => match.rule))));
    expect(matched.size).toBeGreaterThan(100);
  });
});

describe('fromDefinitions, for a config checked already', () => {
  it('compiles every rule, in config order', () => {
    const engine = RuleEngine.fromDefinitions([
      { name: 'first', pipeline: { id: 'p1' } },
      { name: 'second', when: { events: ['push'] }, pipeline: { id: 'p2' } },
    ]);
    expect(engine.size).toBe(2);
  });

  it('names the first rule that does not compile', () => {
    expect(() => RuleEngine.fromDefinitions([{ name: 'broken', when: { expression: 'event.git.branch ==' }, pipeline: { id: 'p' } }])).toThrow(
      /^rule "broken" does not compile \(.+\): check the config with relay validate$/,
    );
  });
});
