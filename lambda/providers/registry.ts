import type { ProviderName } from '../events/CanonicalEvent';
import { github } from './adapters/github';
import { gitlab } from './adapters/gitlab';
import { bitbucketCloud } from './adapters/bitbucket-cloud';
import { bitbucketServer } from './adapters/bitbucket-server';
import { gitea } from './adapters/gitea';
import { forgejo } from './adapters/forgejo';
import { gerrit } from './adapters/gerrit';
import { azureDevops } from './adapters/azure-devops';
import { dockerhub } from './adapters/dockerhub';
import { harbor } from './adapters/harbor';
import { jfrogArtifactory } from './adapters/jfrog-artifactory';
import { nexus } from './adapters/nexus';
import { quay } from './adapters/quay';
import { awsEcr } from './adapters/aws-ecr';
import { generic } from './adapters/generic';
import type { ProviderAdapter, WebhookRequest } from './types';

/** Every provider the relay speaks, by the name a source's `provider` gives. */
export const ADAPTERS: Readonly<Record<ProviderName, ProviderAdapter>> = {
  github,
  gitlab,
  'bitbucket-cloud': bitbucketCloud,
  'bitbucket-server': bitbucketServer,
  gitea,
  forgejo,
  gerrit,
  'azure-devops': azureDevops,
  dockerhub,
  harbor,
  'jfrog-artifactory': jfrogArtifactory,
  nexus,
  quay,
  'aws-ecr': awsEcr,
  generic,
};

export function adapterFor(provider: ProviderName): ProviderAdapter {
  const adapter = ADAPTERS[provider];
  if (!adapter) throw new Error(`no adapter for provider "${provider}"`);
  return adapter;
}

/**
 * A queue message that another route than ingress put on the queue (ECR's events, by an
 * EventBridge rule): the provider whose event it is, and the request to normalise it as.
 * Undefined when no adapter recognises it.
 */
export function eventFromOtherRoute(message: unknown, text: string): { provider: ProviderName; request: WebhookRequest } | undefined {
  for (const adapter of Object.values(ADAPTERS)) {
    const request = adapter.fromQueue?.(message, text);
    if (request !== undefined) return { provider: adapter.name, request };
  }
  return undefined;
}
