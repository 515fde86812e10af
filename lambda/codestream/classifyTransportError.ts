import type { OutcomeStage, Retryable, Tls } from './Outcome';
import { CODE_STREAM, type Peer } from './Peer';

// ERR_CANCELED comes from the client's own deadline signal, ECONNABORTED from axios' socket timeout.
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED', 'UND_ERR_HEADERS_TIMEOUT']);

// Failures before a connection existed: the request cannot have reached the server.
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

// OpenSSL's verification codes, as Node reports them, and what an operator must do about each.
const TLS_CODES: Record<string, { cause: Tls['cause']; problem: string; remedy: (peer: Peer) => string }> = {};
for (const code of [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
]) {
  TLS_CODES[code] = { cause: 'untrusted', problem: 'is not trusted', remedy: (peer) => `add its CA to ${peer.settings}.caCertificates` };
}
for (const code of ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']) {
  TLS_CODES[code] = { cause: 'expired', problem: 'is not valid now', remedy: (peer) => `renew the ${peer.machine}'s certificate (or check this machine's clock)` };
}
TLS_CODES.CERT_REVOKED = { cause: 'revoked', problem: 'is revoked', remedy: (peer) => `replace the ${peer.machine}'s certificate` };
TLS_CODES.ERR_TLS_CERT_ALTNAME_INVALID = {
  cause: 'hostname',
  problem: 'is issued for another host name',
  remedy: (peer) => `use in ${peer.settings}.${peer.urlKey} a host name the certificate names, or reissue the certificate with this one`,
};
TLS_CODES.ERR_SSL_WRONG_VERSION_NUMBER = {
  cause: 'protocol',
  problem: 'could not be read: the port does not speak TLS',
  remedy: (peer) => `check the scheme and port of ${peer.settings}.${peer.urlKey}`,
};

/**
 * A request that got no HTTP answer: a timeout or a connection failure, both worth retrying; or a
 * TLS handshake that failed, which retrying cannot fix. The reason names the error code (and for
 * TLS the verifier's message) and never the request, whose headers hold the bearer token.
 */
export function classifyTransportError(error: unknown, stage: OutcomeStage, what: string, timeoutMs: number, peer: Peer = CODE_STREAM): Retryable | Tls {
  const { code, message } = errorCode(error);
  const tls = TLS_CODES[code];
  if (tls) {
    return {
      kind: 'tls',
      stage,
      cause: tls.cause,
      reason: `${peer.name}'s certificate ${tls.problem} (${message.slice(0, 200)}; ${what}): ${tls.remedy(peer)}`,
      snippet: '',
    };
  }
  if (TIMEOUT_CODES.has(code)) {
    return {
      kind: 'retryable',
      stage,
      cause: 'timeout',
      maybeProcessed: true,
      reason: `no answer from ${peer.name} within ${timeoutMs} ms (${what})`,
      snippet: '',
    };
  }
  return {
    kind: 'retryable',
    stage,
    cause: 'connection',
    maybeProcessed: !NEVER_SENT_CODES.has(code),
    reason: `the connection to ${peer.name} failed with ${code} (${what})`,
    snippet: '',
  };
}

/** The innermost error code, with the message of the error that carries it. */
function errorCode(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const { code, cause, message } = error as { code?: unknown; cause?: unknown; message?: unknown };
    if (typeof code === 'string' && code !== '') {
      return { code, message: typeof message === 'string' ? message : code };
    }
    if (cause !== undefined) return errorCode(cause);
  }
  return { code: 'an unknown error', message: 'an unknown error' };
}
