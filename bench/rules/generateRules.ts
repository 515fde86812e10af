import type { EventKind } from '../../lambda/events/CanonicalEvent';
import type { RuleDefinition } from '../../lambda/rules/RuleDefinition';

/** A repository or image that a fixture delivery names: the source it came on and the event kinds seen for it. */
export interface Subject {
  source: string;
  field: 'repositories' | 'images';
  name: string;
  events: EventKind[];
}

/** The configured sources that send Git events, and those that send registry events. */
export interface SourceNames {
  git: string[];
  registry: string[];
}

/** A platform's few wildcard rules: the index cannot file these, so every delivery of their kind checks them. */
const GLOB_RULES: RuleDefinition[] = [
  {
    name: 'platform-repos-main',
    when: { events: ['push'], repositories: ['platform/*'], branches: ['main'] },
    pipeline: { project: 'platform', name: 'build' },
    input: { REPO: '${event.git.repository.fullName}', COMMIT: '${event.git.commit.id:-none}' },
  },
  {
    name: 'infra-plans',
    when: { events: ['pull_request'], repositories: ['*/infra-*'], actions: ['opened', 'synchronize'] },
    pipeline: { project: 'platform', name: 'terraform-plan' },
    input: { REPO: '${event.git.repository.fullName}', PR: '${event.git.pullRequest.number}' },
  },
  {
    name: 'legacy-builds',
    when: { events: ['push', 'tag'], repositories: ['/^org-\\d+\\/legacy-/'] },
    pipeline: { project: 'platform', name: 'legacy-build' },
    input: { REF: '${event.git.ref:-none}' },
  },
  {
    name: 'hello-world-demos',
    when: { events: ['push', 'tag', 'pull_request'], repositories: ['*/Hello-World', '*/hello-world'] },
    pipeline: { project: 'demo', name: 'hello' },
    input: { REPO: '${event.git.repository.fullName}', ACTOR: '${event.sender:-unknown}' },
  },
  {
    name: 'base-images',
    when: { events: ['artifact_push'], images: ['base/**', 'harbor/*'] },
    pipeline: { project: 'platform', name: 'rebuild-dependents' },
    input: { IMAGE: '${event.artifact.registry}/${event.artifact.image}:${event.artifact.tag:-latest}' },
  },
];

/**
 * The first `size` rules of a platform team's config, in this order: the example config's rules
 * (so the fixture deliveries match what they match in relay.config.yaml), the few wildcard rules,
 * one rule for each repository or image of the fixtures (on a real platform those are services
 * too, so the index finds a rule and builds a request), then one rule per service repository or
 * image (`org-N/service-N`, `team-N/image-N`) until there are `size`.
 */
export function generateRules(size: number, example: readonly RuleDefinition[], subjects: readonly Subject[], sources: SourceNames): RuleDefinition[] {
  const rules = [...example, ...GLOB_RULES, ...subjects.map(subjectRule)].slice(0, size);
  for (let service = rules.length; rules.length < size; service += 1) rules.push(serviceRule(service, sources));
  return rules;
}

function subjectRule(subject: Subject, position: number): RuleDefinition {
  const git = subject.field === 'repositories';
  return {
    name: `fixture-subject-${position}`,
    when: { sources: [subject.source], events: subject.events, [subject.field]: [subject.name] },
    pipeline: { project: 'fixtures', name: `pipeline-${position}` },
    input: git
      ? { REF: '${event.git.ref:-none}', COMMIT: '${event.git.commit.id:-none}' }
      : { IMAGE: '${event.artifact.registry}/${event.artifact.image}:${event.artifact.tag:-latest}' },
    tags: [`subject:${subject.name}`, 'actor:${event.sender:-unknown}'],
  };
}

/**
 * Rule `n` for service `n`: one in five for an image, the others for a repository, in the four
 * shapes teams write (deploy main, CI on every change, release tags, pull requests). A third name
 * no source, the rest one Git server or registry, so both halves of the index are exercised.
 */
function serviceRule(n: number, sources: SourceNames): RuleDefinition {
  const team = `org-${n % 50}`;
  const image = n % 5 === 4;
  const pool = image ? sources.registry : sources.git;
  const source = n % 3 === 0 ? undefined : pool[n % pool.length];
  const common = { name: `service-${n}`, pipeline: { project: team, name: `service-${n}` } };
  const sourceCondition = source === undefined ? {} : { sources: [source] };
  if (image) {
    return {
      ...common,
      when: { ...sourceCondition, events: ['artifact_push'], images: [`team-${n % 20}/image-${n}`], imageTags: ['v*', '/^\\d+\\.\\d+\\.\\d+$/'] },
      input: { IMAGE: '${event.artifact.registry}/${event.artifact.image}:${event.artifact.tag}', DIGEST: '${event.artifact.digest:-none}' },
      tags: [`team:team-${n % 20}`],
    };
  }
  const repository = { repositories: [`${team}/service-${n}`] };
  const input = { SERVICE: `service-${n}`, REF: '${event.git.ref:-none}', COMMIT: '${event.git.commit.id:-none}' };
  const tags = [`team:${team}`, 'actor:${event.sender:-unknown}'];
  switch (n % 4) {
    case 0:
      return { ...common, when: { ...sourceCondition, events: ['push'], ...repository, branches: ['main', 'release/*'] }, input, tags };
    case 1:
      return { ...common, when: { ...sourceCondition, events: ['push', 'pull_request'], ...repository }, input, tags };
    case 2:
      return { ...common, when: { ...sourceCondition, events: ['tag'], ...repository, tags: ['v*'] }, input: { ...input, VERSION: '${event.git.tag}' }, tags };
    default:
      return {
        ...common,
        when: { ...sourceCondition, events: ['pull_request'], ...repository, actions: ['opened', 'synchronize', 'reopened'], targetBranches: ['main'] },
        input: { ...input, PR: '${event.git.pullRequest.number}' },
        tags,
      };
  }
}
