import type { EventKind, ProviderName } from '../../lambda/events/CanonicalEvent';
import { bool, list, text } from '../../lambda/providers/json';
import type { PathConditions, RuleConditions } from '../../lambda/rules/RuleDefinition';
import { nativeInputNames } from '../nativeInputNames';
import { exactly, isAnchored, patternProblem, regex, unanchoredNote } from './conditionPatterns';
import { gitServer, repositoryLocation } from './gitServer';
import {
  type ImportedRule,
  type NativeWebhook,
  type WebhookMapping,
  inputOf,
  originOf,
  pipelineOf,
  quietPeriodOf,
  secretFingerprintOf,
  sharedNotes,
  sharedSkipReason,
} from './nativeWebhook';

/** The swagger's GitWebhook fields this mapping reads (the rest are bookkeeping, or shared: nativeWebhook.ts). */
const GIT_FIELDS = [
  'serverType',
  'repoName',
  'branchName',
  'eventCategory',
  'inclusions',
  'exclusions',
  'prioritizeExclusion',
  'input',
  'pipeline',
  'delayTimeInMins',
  'insecureSsl',
  'endpoint',
  'serverWebhookId',
];

/** Providers whose pushes list no changed files, so that a `paths` condition never holds (docs/rules.md). */
const NO_CHANGED_FILES: readonly ProviderName[] = ['bitbucket-cloud', 'bitbucket-server', 'azure-devops'];

/**
 * The event kind of an eventCategory. The swagger gives `PUSH` as its example and no enum; Code
 * Stream's Git triggers fire on pushes and on pull requests (merge requests, in GitLab's words).
 */
function eventKindOf(category: string): EventKind | undefined {
  const normalised = category.toUpperCase().replace(/[\s-]+/g, '_');
  if (normalised === 'PUSH') return 'push';
  if (['PULL_REQUEST', 'MERGE_REQUEST', 'PR', 'MR'].includes(normalised)) return 'pull_request';
  return undefined;
}

/**
 * One Code Stream Git webhook as a rule of the relay, or why it cannot be one. repoName, branchName
 * and plain file filters match exactly; REGEX file filters are regular expressions as written.
 */
export function gitWebhookRule(webhook: NativeWebhook): WebhookMapping {
  const origin = originOf('git', webhook);
  const skip = (reason: string): WebhookMapping => ({ skipped: { origin, reason } });
  const shared = sharedSkipReason(webhook);
  if (shared) return skip(shared);
  const location = repositoryLocation(text(webhook, 'repoName'));
  const server = gitServer(text(webhook, 'serverType'), location);
  if ('unsupported' in server) return skip(server.unsupported);
  const category = text(webhook, 'eventCategory');
  const kind = category === undefined ? undefined : eventKindOf(category);
  if (kind === undefined) {
    return skip(
      category === undefined
        ? 'it has no eventCategory: the event it runs on is unknown'
        : `event category "${category}": the importer maps PUSH to push and PULL_REQUEST / MERGE_REQUEST to pull_request; write a rule with the canonical kind it means by hand`,
    );
  }
  const pipeline = pipelineOf(webhook);
  if (typeof pipeline === 'string') return skip(pipeline);
  const { provider } = server.key;
  const notes: string[] = server.ambiguous ? [server.ambiguous] : [];
  const when: RuleConditions = { events: [kind] };

  if (location.fullName) {
    // Bitbucket Data Center's project keys are upper case in events and often lower case in URLs.
    when.repositories = [exactly(location.fullName, { ignoreCase: provider === 'bitbucket-server' })];
  } else {
    notes.push("it names no repository (Code Stream then used its endpoint's); the rule matches every repository that posts to its source: add when.repositories");
  }
  const branch = text(webhook, 'branchName');
  if (branch) {
    // A pull request's branch, to Code Stream as to the relay's GIT_BRANCH_NAME, is its target branch.
    when[kind === 'push' ? 'branches' : 'targetBranches'] = [exactly(branch)];
  } else {
    notes.push(`it names no branch (Code Stream then used its endpoint's); the rule matches every branch: add when.${kind === 'push' ? 'branches' : 'targetBranches'}`);
  }
  if (kind === 'pull_request') {
    notes.push('it runs on pull requests: the rule matches every pull request action (opened, updated, merged, closed); add when.actions to run on some only');
  }

  const paths = pathConditions(webhook);
  if (typeof paths === 'string') return skip(paths);
  if (paths) {
    if (kind !== 'push') return skip('it filters changed files of pull requests: the relay reads changed files from pushes only, so the rule could never run');
    if (NO_CHANGED_FILES.includes(provider)) return skip(`it filters changed files, which ${provider}'s pushes do not list, so the rule could never run`);
    when.paths = paths.conditions;
    if (paths.unanchored.length > 0) notes.push(unanchoredNote(paths.unanchored));
    notes.push(...paths.notes);
  }

  const rule: ImportedRule = { when, pipeline };
  const description = text(webhook, 'description');
  if (description) rule.description = description;
  const input = inputOf(webhook, nativeInputNames({ when }), notes);
  if (input) rule.input = input;
  const quietPeriod = quietPeriodOf(webhook, notes);
  if (quietPeriod) rule.quietPeriod = quietPeriod;

  if (bool(webhook, 'insecureSsl') === true) {
    notes.push("insecureSsl: the Git server was told not to verify Code Stream's certificate; keep verification on in the relay's webhook, whose certificate is public");
  }
  sharedNotes(webhook, GIT_FIELDS, notes, 'GitWebhook');
  return {
    mapped: {
      origin,
      server: server.key,
      rule,
      notes,
      secretFingerprint: secretFingerprintOf(webhook),
      watches: location.fullName,
      serverWebhookId: text(webhook, 'serverWebhookId'),
    },
  };
}

/**
 * inclusions, exclusions and prioritizeExclusion as `when.paths`: PLAIN paths match a changed
 * file's whole path, REGEX values are regular expressions. Code Stream's prioritizeExclusion is
 * false unless set, which is the relay's `prefer: include`; it only matters with exclusions.
 * @returns undefined without filters, or why a filter cannot be carried over.
 */
function pathConditions(webhook: NativeWebhook): { conditions: PathConditions; unanchored: string[]; notes: string[] } | string | undefined {
  const unanchored: string[] = [];
  const notes: string[] = [];
  const patternsOf = (field: 'inclusions' | 'exclusions'): string[] | string => {
    const patterns: string[] = [];
    for (const filter of list(webhook, field)) {
      const type = text(filter, 'type');
      const value = text(filter, 'value');
      if (!value) continue;
      if (type !== 'PLAIN' && type !== 'REGEX') return `${field} has a filter of type ${JSON.stringify(type ?? null)}; the swagger's are PLAIN and REGEX`;
      const pattern = type === 'PLAIN' ? exactly(value, { path: true }) : regex(value);
      const problem = patternProblem(pattern, { path: true });
      if (problem) return `${field} ${type} "${value}" cannot be a pattern of the relay: ${problem} (docs/rules.md#patterns)`;
      if (type === 'REGEX' && !isAnchored(value)) unanchored.push(`${field} "${value}"`);
      if (type === 'PLAIN' && value.endsWith('/')) {
        notes.push(`${field} PLAIN "${value}" is carried over as one file's whole path; if it meant the files below that directory, write "${value}**"`);
      }
      patterns.push(pattern);
    }
    return patterns;
  };
  const include = patternsOf('inclusions');
  if (typeof include === 'string') return include;
  const exclude = patternsOf('exclusions');
  if (typeof exclude === 'string') return exclude;
  if (include.length === 0 && exclude.length === 0) return undefined;
  const conditions: PathConditions = {};
  if (include.length > 0) conditions.include = include;
  if (exclude.length > 0) {
    conditions.exclude = exclude;
    conditions.prefer = bool(webhook, 'prioritizeExclusion') === true ? 'exclude' : 'include';
  }
  return { conditions, unanchored, notes };
}
