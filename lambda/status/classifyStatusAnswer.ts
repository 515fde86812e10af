import { type HttpAnswer, statusClass } from '../codestream/classifyResponse';
import { parseRetryAfter } from '../codestream/retryAfter';
import { responseSnippet } from '../codestream/responseSnippet';
import type { PostOutcome, ReportingProvider, StatusCredential, StatusState, StatusTarget } from './CommitStatus';
import { GITLAB_STATES } from './gitlabStatusRequest';
import { retryOutcome } from './retryOutcome';
import { SERVER_NAMES } from './serverNames';
import { apiBase } from './targetPaths';

export interface AnswerContext {
  target: StatusTarget;
  state: StatusState;
  credential: StatusCredential['kind'];
  now: number;
  /** Values that must not appear in a reason: the credential and any token derived from it. */
  secrets: readonly string[];
}

/** Bound on the server's own message quoted in a reason. */
const MESSAGE_CHARS = 200;

/** What each provider's credential needs to write statuses, said when the server answers 403. */
const FORBIDDEN: Record<ReportingProvider, (repository: string, credential: StatusCredential['kind']) => string> = {
  github: (repository, credential) =>
    credential === 'githubApp'
      ? `the GitHub App may not write commit statuses of ${repository} (give it the Commit statuses: Read and write permission, accepted in the installation, and install it on the repository)`
      : `the token may not write commit statuses of ${repository} (it needs repo:status, or a fine-grained token with Commit statuses: Read and write)`,
  gitlab: (repository) => `the token may not set commit statuses of ${repository} (it needs the api scope and at least the Developer role in the project)`,
  'bitbucket-cloud': (repository) =>
    `the credential may not write build statuses of ${repository} (it needs access to the repository with the Repositories: Read scope; a status another user created can be changed only by that user or a repository admin)`,
  'bitbucket-server': (repository) => `the token may not add build statuses to ${repository} (it needs at least Repository read permission on it)`,
  gitea: (repository) => `the token may not write statuses of ${repository} (it needs the write:repository scope and write access to the repository)`,
  forgejo: (repository) => `the token may not write statuses of ${repository} (it needs the write:repository scope and write access to the repository)`,
};

/**
 * What an answer to a status post means: 2xx posted; 408, 429 and 5xx (but 501 and 505) worth
 * retrying, after the Retry-After the server sent, as are GitHub's rate limits, which it answers
 * with 403; every other answer a failure whose reason says what to fix. GitLab refuses to set a
 * status the commit already has (a second `running` after a retry whose first try arrived): that
 * is posted too. The server's own message is quoted, bounded, with the secrets taken out.
 */
export function classifyStatusAnswer(answer: HttpAnswer, context: AnswerContext): PostOutcome {
  const { status } = answer;
  const { target } = context;
  const server = SERVER_NAMES[target.provider];
  const message = answerMessage(answer.body, context.secrets);
  const quoted = message ? ` (${message})` : '';
  if (statusClass(status) === 'success' || alreadySet(answer, context)) return { kind: 'posted', status };
  const rateLimit = target.provider === 'github' ? githubRateLimit(answer, context.now) : undefined;
  if (rateLimit) return retryOutcome(status, `GitHub's rate limit for the credential is spent${quoted}`, rateLimit.retryAfterMs);
  const subject = `the ${context.state} status of ${target.repository}@${target.sha.slice(0, 12)}`;
  switch (statusClass(status)) {
    case 'retryable':
      return retryOutcome(status, `${server} answered ${status} to ${subject}${quoted}`, parseRetryAfter(answer.headers['retry-after'], context.now));
    case 'unauthorized':
      return { kind: 'failed', status, reason: `${server} answered 401${quoted}: ${unauthorized(context.credential)}` };
    case 'forbidden':
      return { kind: 'failed', status, reason: `${server} answered 403${quoted}: ${FORBIDDEN[target.provider](target.repository, context.credential)}` };
    case 'notFound':
      return { kind: 'failed', status, reason: `${server} answered 404${quoted}: ${notFound(target, context.credential)}` };
    default: {
      const location = answer.headers.location;
      const redirect = status >= 300 && status < 400 ? ` (a redirect${location ? ` to ${location}` : ''}: check the API URL ${apiBase(target)})` : '';
      return { kind: 'failed', status, reason: `${server} rejected ${subject} with ${status}${redirect}${quoted}` };
    }
  }
}

function unauthorized(credential: StatusCredential['kind']): string {
  switch (credential) {
    case 'basic':
      return 'the username or app password is wrong, or the app password was revoked: update the secret';
    case 'githubApp':
      return 'it refused a freshly issued installation token of the GitHub App: check that the installation is active';
    case 'token':
      return 'the token is not valid (expired, revoked or mistyped): update the secret';
  }
}

function notFound(target: StatusTarget, credential: StatusCredential['kind']): string {
  const visible = credential === 'githubApp' ? 'the GitHub App is not installed on it' : 'the credential cannot see it';
  const version = target.provider === 'bitbucket-server' ? ', and that Bitbucket is 7.4 or later' : '';
  return `${target.repository} or its commit ${target.sha} does not exist, or ${visible}; check the repository name and the API URL ${apiBase(target)}${version}`;
}

/** GitLab's refusal to move a status to the state it already has. */
function alreadySet(answer: HttpAnswer, context: AnswerContext): boolean {
  if (context.target.provider !== 'gitlab' || answer.status !== 400) return false;
  const from = /Cannot transition status via :\w+ from :(\w+)/.exec(answer.body)?.[1];
  return from === GITLAB_STATES[context.state];
}

/**
 * GitHub's primary rate limit (403 or 429 with `x-ratelimit-remaining: 0`, until `x-ratelimit-reset`)
 * and its secondary one (403 or 429 with Retry-After).
 */
function githubRateLimit(answer: HttpAnswer, now: number): { retryAfterMs?: number } | undefined {
  if (answer.status !== 403 && answer.status !== 429) return undefined;
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], now);
  if (retryAfterMs !== undefined) return { retryAfterMs };
  if (answer.headers['x-ratelimit-remaining'] !== '0') return undefined;
  const reset = Number(answer.headers['x-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? { retryAfterMs: Math.max(0, reset * 1000 - now) } : {};
}

/**
 * The server's message in an error answer: GitHub's, GitLab's and Gitea's `message`, Bitbucket
 * Cloud's `error.message`, Bitbucket Data Center's `errors[0].message`; undefined for other bodies
 * (an HTML error page says nothing an operator needs).
 */
function answerMessage(body: string, secrets: readonly string[]): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const object = (value ?? {}) as { message?: unknown; error?: { message?: unknown }; errors?: { message?: unknown }[] };
  // GitLab answers a refused field as an object of messages, e.g. {"message":{"name":["is too long"]}}.
  const own = typeof object.message === 'object' && object.message !== null ? JSON.stringify(object.message) : object.message;
  const candidates = [own, object.error?.message, Array.isArray(object.errors) ? object.errors[0]?.message : undefined];
  const message = candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate.trim() !== '');
  return message === undefined ? undefined : responseSnippet(message.replace(/\s+/g, ' ').trim(), secrets, MESSAGE_CHARS);
}
