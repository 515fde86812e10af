import type { ProviderName } from '../../lambda/events/CanonicalEvent';
import { text } from '../../lambda/providers/json';
import { ADAPTERS } from '../../lambda/providers/registry';
import { compilePatterns } from '../../lambda/rules/patterns';
import type { RuleConditions } from '../../lambda/rules/RuleDefinition';
import { nativeInputNames } from '../nativeInputNames';
import { exactly, isAnchored, patternProblem, regex, unanchoredNote } from './conditionPatterns';
import {
  type ImportedRule,
  type NativeWebhook,
  type WebhookMapping,
  inputOf,
  originOf,
  pipelineOf,
  secretFingerprintOf,
  sharedNotes,
  sharedSkipReason,
} from './nativeWebhook';
import type { ServerKey } from './ServerKey';

/** The swagger's DockerRegistryWebHook fields this mapping reads (the rest are bookkeeping, or shared: nativeWebhook.ts). */
const REGISTRY_FIELDS = ['serverType', 'endpoint', 'repoName', 'imageNameRegExPattern', 'tagNamePattern', 'input', 'pipeline', 'slug'];

/** The registry providers of the relay: the adapters that describe artifacts only, for messages. */
const REGISTRY_PROVIDERS: readonly ProviderName[] = Object.values(ADAPTERS)
  .filter((adapter) => adapter.describes.length === 1 && adapter.describes[0] === 'artifact')
  .map((adapter) => adapter.name);

interface Registry {
  provider: ProviderName;
  description: string;
  /** A hosted service, of which there is one whatever the endpoint. */
  hosted?: boolean;
}

const DOCKER_HUB: Registry = { provider: 'dockerhub', description: 'Docker Hub', hosted: true };
const HARBOR: Registry = { provider: 'harbor', description: 'Harbor' };
const ARTIFACTORY: Registry = { provider: 'jfrog-artifactory', description: 'JFrog Artifactory' };
const QUAY: Registry = { provider: 'quay', description: 'Quay' };
const NEXUS: Registry = { provider: 'nexus', description: 'Nexus Repository' };
const ECR: Registry = { provider: 'aws-ecr', description: 'Amazon ECR' };

/** serverType (the swagger's example: `DockerHub/Docker_Trusted_Registry`), lower case and letters and digits only. */
const REGISTRIES: Record<string, Registry> = {
  dockerhub: DOCKER_HUB,
  harbor: HARBOR,
  jfrog: ARTIFACTORY,
  artifactory: ARTIFACTORY,
  jfrogartifactory: ARTIFACTORY,
  quay: QUAY,
  quayio: QUAY,
  nexus: NEXUS,
  sonatypenexus: NEXUS,
  ecr: ECR,
  awsecr: ECR,
  amazonecr: ECR,
};

/** The registry a webhook is for; its endpoint names the registry server in Code Stream, except for a hosted service. */
function registryServer(serverType: string | undefined, endpoint: string | undefined): ServerKey | string {
  const registry = REGISTRIES[(serverType ?? '').toLowerCase().replace(/[^a-z0-9]/g, '')];
  if (!registry) {
    const what = serverType ? `registry type "${serverType}"` : 'no serverType';
    return `${what}: the relay has no provider for it (its registry providers: ${REGISTRY_PROVIDERS.join(', ')})`;
  }
  const perEndpoint = !registry.hosted && endpoint !== undefined && endpoint !== '';
  return {
    provider: registry.provider,
    name: registry.provider,
    qualifier: perEndpoint ? endpoint : undefined,
    description: `${registry.description}${perEndpoint ? `, registry endpoint "${endpoint}"` : ''}`,
    serverType,
  };
}

/**
 * One Code Stream registry webhook as a rule of the relay, or why it cannot be one. Code Stream's
 * registry webhooks run on image pushes: `artifact_push`. repoName is the repository (`owner/name`,
 * an image) or, without a slash, the namespace (a Harbor project); the two patterns are regular
 * expressions as written.
 */
export function registryWebhookRule(webhook: NativeWebhook): WebhookMapping {
  const origin = originOf('registry', webhook);
  const skip = (reason: string): WebhookMapping => ({ skipped: { origin, reason } });
  const shared = sharedSkipReason(webhook);
  if (shared) return skip(shared);
  const server = registryServer(text(webhook, 'serverType'), text(webhook, 'endpoint'));
  if (typeof server === 'string') return skip(server);
  const pipeline = pipelineOf(webhook);
  if (typeof pipeline === 'string') return skip(pipeline);
  const notes: string[] = [];
  const when: RuleConditions = { events: ['artifact_push'] };
  const unanchored: string[] = [];

  const repository = text(webhook, 'repoName');
  const imagePattern = text(webhook, 'imageNameRegExPattern') || undefined;
  const tagPattern = text(webhook, 'tagNamePattern') || undefined;
  for (const [field, value] of [
    ['imageNameRegExPattern', imagePattern],
    ['tagNamePattern', tagPattern],
  ] as const) {
    const problem = value === undefined ? undefined : patternProblem(regex(value));
    if (problem) return skip(`${field} cannot be a pattern of the relay: ${problem} (docs/rules.md#patterns)`);
  }
  if (repository?.includes('/')) {
    // The image is that repository: the name pattern either holds for it, always, or never.
    if (imagePattern !== undefined && !compilePatterns([regex(imagePattern)]).test(repository)) {
      return skip(`its imageNameRegExPattern "${imagePattern}" does not match its repository ${repository}, so it could never run its pipeline`);
    }
    when.images = [exactly(repository)];
  } else {
    if (repository) when.namespaces = [exactly(repository)];
    if (imagePattern !== undefined) {
      when.images = [regex(imagePattern)];
      if (!isAnchored(imagePattern)) unanchored.push(`imageNameRegExPattern "${imagePattern}"`);
    }
  }
  if (!repository && imagePattern === undefined) notes.push('it names no repository or image: the rule matches every image pushed to its source');
  if (tagPattern !== undefined) {
    when.imageTags = [regex(tagPattern)];
    if (!isAnchored(tagPattern)) unanchored.push(`tagNamePattern "${tagPattern}"`);
  }
  if (unanchored.length > 0) notes.push(unanchoredNote(unanchored));

  const rule: ImportedRule = { when, pipeline };
  const description = text(webhook, 'description');
  if (description) rule.description = description;
  const input = inputOf(webhook, nativeInputNames({ when }), notes);
  if (input) rule.input = input;
  sharedNotes(webhook, REGISTRY_FIELDS, notes, 'DockerRegistryWebHook');
  return { mapped: { origin, server, rule, notes, secretFingerprint: secretFingerprintOf(webhook), watches: repository || imagePattern } };
}
