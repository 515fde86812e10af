import type { Outcome, OutcomeStage } from './Outcome';
import { parseRetryAfter } from './retryAfter';
import { responseSnippet } from './responseSnippet';

/** One HTTP answer as the client received it, body as text. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export type StatusClass = 'success' | 'retryable' | 'unauthorized' | 'forbidden' | 'notFound' | 'rejected';

/**
 * What a status code means for the relay (DESIGN §5). 408 and 429 are worth retrying; so is every
 * 5xx except 501 and 505, which say the server will never do it.
 */
export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'success';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 408 || status === 429) return 'retryable';
  if (status >= 500 && status !== 501 && status !== 505) return 'retryable';
  return 'rejected';
}

export interface ClassifyContext {
  /** Code Stream's base URL, against which the relative executionLink is resolved. */
  baseUrl: string;
  /** How the pipeline is named in reasons, e.g. `pipeline acme/build`. */
  pipeline: string;
  now: number;
  /** Values to redact from the snippet: the bearer token in use. */
  secrets: readonly (string | undefined)[];
  snippetChars?: number;
}

/** Classifies the answer to an execute call. A 401 here is final: the one renewal already happened. */
export function classifyExecuteAnswer(answer: HttpAnswer, context: ClassifyContext): Outcome {
  const { status } = answer;
  const stage: OutcomeStage = 'execute';
  const snippet = responseSnippet(answer.body, context.secrets, context.snippetChars);
  const { pipeline } = context;
  switch (statusClass(status)) {
    case 'success':
      return created(answer, context, snippet);
    case 'retryable': {
      const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], context.now);
      const asked = retryAfterMs === undefined ? '' : `; it asked to retry after ${Math.ceil(retryAfterMs / 1000)} s`;
      return {
        kind: 'retryable',
        stage,
        cause: 'status',
        status,
        retryAfterMs,
        reason: `Code Stream answered ${status} for ${pipeline}${asked}`,
        snippet,
      };
    }
    case 'unauthorized':
      return {
        kind: 'unauthorized',
        stage,
        status,
        reason: `Code Stream answered 401 for ${pipeline} even with a freshly issued token`,
        snippet,
      };
    case 'forbidden':
      return {
        kind: 'forbidden',
        stage,
        status: 403,
        reason: `Code Stream answered 403: the relay's user may not execute ${pipeline}`,
        snippet,
      };
    case 'notFound':
      return {
        kind: 'notFound',
        stage,
        status: 404,
        reason: `Code Stream answered 404: ${pipeline} does not exist or is not visible to the relay's user`,
        snippet,
      };
    case 'rejected': {
      const location = answer.headers.location;
      const redirect = status >= 300 && status < 400 && location ? ` (a redirect to ${location}; check the Code Stream URL)` : '';
      return {
        kind: 'rejected',
        stage,
        status,
        reason: `Code Stream rejected the execution of ${pipeline} with ${status}${redirect}`,
        snippet,
      };
    }
  }
}

function created(answer: HttpAnswer, context: ClassifyContext, snippet: string): Outcome {
  const body = parseObject(answer.body);
  const executionId = typeof body?.executionId === 'string' ? body.executionId : undefined;
  const executionIndex = typeof body?.executionIndex === 'number' ? body.executionIndex : undefined;
  const link = typeof body?.executionLink === 'string' ? body.executionLink : undefined;
  const executionLink = link === undefined ? undefined : absoluteLink(link, context.baseUrl);
  const reason =
    executionId === undefined
      ? `Code Stream accepted the execution of ${context.pipeline} with ${answer.status} but named no executionId`
      : `Code Stream started execution ${executionId} of ${context.pipeline}`;
  return {
    kind: 'created',
    stage: 'execute',
    status: answer.status,
    executionId,
    executionIndex,
    executionLink,
    reason,
    snippet,
  };
}

/** executionLink is relative to the host; a base URL with a path prefix (a reverse proxy) keeps it. */
function absoluteLink(link: string, baseUrl: string): string {
  if (/^https?:\/\//i.test(link)) return link;
  return `${baseUrl.replace(/\/+$/, '')}${link.startsWith('/') ? '' : '/'}${link}`;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
