import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { HttpAnswer } from './classifyResponse';
import { classifyTransportError } from './classifyTransportError';
import { CODE_STREAM, type Peer } from './Peer';
import { CodeStreamConnections, type ConnectionOptions, ProxySettingError } from './CodeStreamConnections';
import type { Failure, OutcomeStage } from './Outcome';

/** How requests reach Code Stream: one axios instance, the network's agents, a deadline. */
export interface Transport {
  http: AxiosInstance;
  connections: CodeStreamConnections;
  timeoutMs: number;
}

/**
 * A transport to a server the relay calls (Code Stream, a Git server): answers as text whatever
 * their status, no redirects followed, at most 1 MiB, over the network's own agents.
 */
export function createTransport(options: ConnectionOptions & { headers: Record<string, string>; timeoutMs: number }): Transport {
  const http = axios.create({
    headers: options.headers,
    // The agents of CodeStreamConnections tunnel through proxies; axios' own proxy support would
    // send https requests to the proxy in clear.
    proxy: false,
    maxRedirects: 0,
    maxContentLength: 1024 * 1024,
    responseType: 'text',
    // Bodies stay text: the classifiers parse them, and a snippet needs the raw text.
    transformResponse: (data: unknown) => data,
    validateStatus: () => true,
  });
  return { http, connections: new CodeStreamConnections({ caCertificates: options.caCertificates, proxy: options.proxy }), timeoutMs: options.timeoutMs };
}

export interface OutgoingRequest {
  method: 'get' | 'post';
  url: string;
  data?: unknown;
  headers: Record<string, string>;
  /** A deadline shorter than the transport's, in ms: what is left of the invocation. */
  timeoutMs?: number;
}

/**
 * Sends one request over the route its URL takes (direct or through the proxy). Code Stream's own
 * answer comes back as text, whatever its status; anything that kept it from answering becomes
 * the outcome that says why: a timeout, a failed connection, a certificate, a proxy that refused
 * the tunnel or is not set right. `what` says what the request was for, in reasons.
 */
export async function sendRequest(transport: Transport, request: OutgoingRequest, stage: OutcomeStage, what: string, peer: Peer = CODE_STREAM): Promise<HttpAnswer | Failure> {
  let route;
  try {
    route = transport.connections.route(request.url);
  } catch (error) {
    if (!(error instanceof ProxySettingError)) throw error;
    return { kind: 'rejected', stage, reason: `${error.message.replace('codestream.proxy', `${peer.settings}.proxy`)} (${what}): fix it, then redrive`, snippet: '' };
  }
  const { timeoutMs: deadlineMs, ...sent } = request;
  const timeoutMs = Math.min(transport.timeoutMs, deadlineMs ?? Number.POSITIVE_INFINITY);
  let response: AxiosResponse<unknown>;
  try {
    response = await transport.http.request({
      ...sent,
      httpAgent: route.httpAgent,
      httpsAgent: route.httpsAgent,
      timeout: timeoutMs,
      // Ends the request whatever it is waiting for (a connection, a proxy, the answer), as Lambda ends an invocation.
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return classifyTransportError(error, stage, what, timeoutMs, peer);
  }
  const refusal = transport.connections.proxyRefusal(response.request);
  if (refusal !== undefined) return proxyRefused(refusal, route.proxy ?? 'the proxy', stage, what, peer);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return { status: response.status, headers, body: typeof response.data === 'string' ? response.data : '' };
}

/**
 * The proxy answered the CONNECT with something other than 200, so Code Stream never saw the
 * request. A proxy that fails to reach Code Stream (a 5xx) may succeed later; one that asks for
 * credentials (407), forbids the host (403) or cannot find it (404) will not until someone acts.
 */
function proxyRefused(status: number, proxy: string, stage: OutcomeStage, what: string, peer: Peer): Failure {
  if (status >= 500) {
    return {
      kind: 'retryable',
      stage,
      cause: 'connection',
      maybeProcessed: false,
      status,
      reason: `the proxy ${proxy} could not open a tunnel to ${peer.name}: it answered ${status} (${what})`,
      snippet: '',
    };
  }
  const remedy =
    status === 407
      ? 'it asks for credentials: give them in the proxy URL, or let the relay through by its address'
      : status === 403
        ? `allow ${peer.name}'s host and port in the proxy's rules`
        : `check that the proxy can resolve and reach ${peer.name}'s host`;
  return { kind: 'rejected', stage, status, reason: `the proxy ${proxy} refused the tunnel to ${peer.name} with ${status} (${what}): ${remedy}`, snippet: '' };
}
