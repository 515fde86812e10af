import type { ArtifactEvent } from '../../events/CanonicalEvent';
import { urlTokenAuthentication } from '../auth/urlToken';
import { originOf, toIsoUtc } from '../gitFields';
import { integer, record, required, text } from '../json';
import type { NormalisedDelivery, ProviderAdapter } from '../types';

/** Where a delivery whose repository has no repo_url was pushed: Docker Hub serves only itself. */
const DOCKER_HUB_URL = 'https://registry.hub.docker.com';

/**
 * Docker Hub. It signs nothing and sends no secret, so the source's secret travels in the webhook
 * URL (`?token=`) or in an `X-Relay-Token` header; options may rename either. Docker Hub sends
 * only pushes, with no event name and no delivery id (the driver hashes the body). The body's
 * `callback_url` is a legacy field Docker Hub no longer honours: it is ignored.
 */
export const dockerhub: ProviderAdapter = {
  name: 'dockerhub',
  requiresSecret: true,
  describes: ['artifact'],
  ...urlTokenAuthentication({ tokenHeader: 'x-relay-token', tokenQuery: 'token' }),

  normalise(_request, body): NormalisedDelivery {
    const pushData = required(record(body, 'push_data'), 'push_data');
    const pushedAt = integer(pushData, 'pushed_at');
    const pusher = text(pushData, 'pusher');
    return {
      events: [
        {
          kind: 'artifact_push',
          event: 'push',
          occurredAt: pushedAt === undefined ? undefined : toIsoUtc(pushedAt * 1000),
          sender: pusher,
          artifact: Object.assign(artifactOf(body), { tag: text(pushData, 'tag'), pusher }),
        },
      ],
    };
  },
};

function artifactOf(body: Record<string, unknown>): ArtifactEvent {
  const repository = required(record(body, 'repository'), 'repository');
  const repoName = required(text(repository, 'repo_name'), 'repository.repo_name');
  const slash = repoName.lastIndexOf('/');
  const registryUrl = originOf(text(repository, 'repo_url')) ?? DOCKER_HUB_URL;
  return {
    registry: new URL(registryUrl).host,
    registryUrl,
    namespace: text(repository, 'namespace') ?? repoName.slice(0, Math.max(slash, 0)),
    repository: text(repository, 'name') ?? repoName.slice(slash + 1),
    image: repoName,
    url: text(repository, 'repo_url'),
  };
}
