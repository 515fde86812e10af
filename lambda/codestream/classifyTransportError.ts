import type { OutcomeStage, Retryable } from './Outcome';

// ERR_CANCELED comes from the client's own deadline signal, ECONNABORTED from axios' socket timeout.
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED', 'UND_ERR_HEADERS_TIMEOUT']);

// Failures before a connection existed: the request cannot have reached Code Stream.
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A request that got no HTTP answer: a timeout or a connection failure. Both are worth retrying.
 * The reason names the error code and never the request, whose headers hold the bearer token.
 */
export function classifyTransportError(
  error: unknown,
  stage: OutcomeStage,
  what: string,
  timeoutMs: number,
): Retryable {
  const code = errorCode(error);
  if (TIMEOUT_CODES.has(code)) {
    return {
      kind: 'retryable',
      stage,
      cause: 'timeout',
      maybeProcessed: true,
      reason: `no answer from Code Stream within ${timeoutMs} ms (${what})`,
      snippet: '',
    };
  }
  return {
    kind: 'retryable',
    stage,
    cause: 'connection',
    maybeProcessed: !NEVER_SENT_CODES.has(code),
    reason: `the connection to Code Stream failed with ${code} (${what})`,
    snippet: '',
  };
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, cause } = error as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (cause !== undefined) return errorCode(cause);
  }
  return 'an unknown error';
}
