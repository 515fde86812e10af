import type { CanonicalEvent } from './CanonicalEvent';
import { describeEvent } from './describeEvent';

/**
 * The inputs Code Stream's native Git and Docker triggers inject (DESIGN §3), so that a pipeline
 * written for a native trigger runs unchanged behind the relay. Values are strings; what the
 * provider did not send is ''. Events with neither Git nor artifact details give no inputs.
 */
export function nativeTriggerInput(event: CanonicalEvent): Record<string, string> {
  const { git, artifact } = event;
  if (artifact) {
    return {
      DOCKER_EVENT_TIMESTAMP: event.occurredAt,
      DOCKER_IMAGE_TAG: artifact.tag ?? artifact.digest ?? '',
      DOCKER_OWNER_NAME: artifact.pusher ?? event.sender ?? '',
      DOCKER_REPO_NAME: artifact.repository,
      DOCKER_REPO_NAMESPACE: artifact.namespace,
      DOCKER_SERVER_URL: artifact.registryUrl,
    };
  }
  if (git) {
    const pr = git.pullRequest;
    return {
      GIT_BRANCH_NAME: pr?.targetBranch ?? git.branch ?? '',
      GIT_COMMIT_ID: (pr ? (pr.mergeCommit ?? pr.headCommit) : undefined) ?? git.commit?.id ?? git.after ?? '',
      // A release without a name is shown by its tag, as the providers' pages do.
      GIT_CHANGE_SUBJECT: pr?.title ?? (git.release ? (git.release.name ?? git.tag ?? '') : firstLine(git.commit?.message)),
      GIT_EVENT_OWNER_NAME: event.sender ?? git.commit?.author ?? '',
      GIT_EVENT_DESCRIPTION: describeEvent(event),
      GIT_EVENT_TIMESTAMP: event.occurredAt,
      GIT_REPO_NAME: git.repository.fullName,
      GIT_SERVER_URL: git.serverUrl,
    };
  }
  return {};
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split(/\r?\n/, 1)[0]?.trim() ?? '';
}
