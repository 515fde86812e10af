import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

export interface ConnectionOptions {
  /** PEM texts of CAs to trust besides the public ones (a private CA of the company). */
  caCertificates?: readonly string[];
  /**
   * The config's `codestream.proxy`: a URL wins over HTTPS_PROXY, HTTP_PROXY and NO_PROXY, false
   * connects directly. @default undefined: those environment variables decide, per URL
   */
  proxy?: string | false;
}

/** The agents that carry requests to one URL: direct, or through a proxy. */
export interface Route {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** The proxy's URL with any credentials hidden, for reasons and logs; undefined when direct. */
  proxy?: string;
}

/** A proxy setting that is not a URL: no request can be sent until it is fixed. */
export class ProxySettingError extends Error {
  override readonly name = 'ProxySettingError';
}

/**
 * How the client reaches Code Stream on a company network: TLS that trusts the configured CAs on
 * top of the public ones, always verified; and the proxy the config or the environment names, with
 * a CONNECT tunnel inside which the same TLS trust applies. Agents keep connections alive and are
 * made once per proxy.
 *
 * @example
 * const connections = new CodeStreamConnections({ caCertificates: [companyCaPem] });
 * const { httpsAgent } = connections.route('https://vra.corp.example/iaas/api/login');
 */
export class CodeStreamConnections {
  readonly #tls: https.AgentOptions;
  readonly #proxy?: string | false;
  readonly #direct: Route;
  readonly #proxied = new Map<string, Route>();
  readonly #refusals = new WeakMap<object, number>();

  constructor(options: ConnectionOptions = {}) {
    const ca = options.caCertificates ?? [];
    this.#tls = {
      keepAlive: true,
      // Stated, so that NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn verification off.
      rejectUnauthorized: true,
      // Node's `ca` replaces the public roots: they are listed again so that both are trusted.
      ...(ca.length > 0 ? { ca: [...rootCertificates, ...ca] } : {}),
    };
    this.#proxy = options.proxy;
    this.#direct = { httpAgent: new http.Agent({ keepAlive: true }), httpsAgent: new https.Agent(this.#tls) };
  }

  /** @throws ProxySettingError when the proxy that applies to the URL is not a URL. */
  route(url: string): Route {
    const proxy = this.#proxy === undefined ? getProxyForUrl(url) : this.#proxy || '';
    if (proxy === '') return this.#direct;
    let route = this.#proxied.get(proxy);
    if (!route) {
      route = this.#proxiedRoute(proxy);
      this.#proxied.set(proxy, route);
    }
    return route;
  }

  /** Where calls to the URL go, for a log line: `direct` or the proxy without its credentials. */
  describe(url: string): string {
    try {
      return this.route(url).proxy ?? 'direct';
    } catch (error) {
      return (error as Error).message;
    }
  }

  /**
   * The status with which the proxy refused to open the tunnel for this request (a 407, a 403 of
   * its rules, a 502 when it cannot reach Code Stream); undefined when it did not refuse. The HTTP
   * client then reads the proxy's answer as if it were Code Stream's.
   */
  proxyRefusal(request: unknown): number | undefined {
    return typeof request === 'object' && request !== null ? this.#refusals.get(request) : undefined;
  }

  #proxiedRoute(proxy: string): Route {
    let proxyUrl: URL;
    try {
      proxyUrl = new URL(proxy);
    } catch {
      throw new ProxySettingError(`the proxy setting is not a URL (${this.#proxy ? 'codestream.proxy' : 'HTTPS_PROXY/HTTP_PROXY'})`);
    }
    if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') {
      throw new ProxySettingError(`the proxy ${hideCredentials(proxyUrl)} is not an http: or https: URL`);
    }
    const httpsAgent = new TunnelAgent(proxyUrl, this.#tls, this.#refusals);
    return {
      httpAgent: new HttpProxyAgent(proxyUrl, { keepAlive: true }),
      httpsAgent: httpsAgent as unknown as https.Agent,
      proxy: hideCredentials(proxyUrl),
    };
  }
}

/** A proxy URL fit for a log line: user and password replaced. */
export function hideCredentials(url: URL): string {
  if (!url.username && !url.password) return `${url.protocol}//${url.host}`;
  return `${url.protocol}//***@${url.host}`;
}

/**
 * A CONNECT tunnel whose TLS to Code Stream trusts the configured CAs: https-proxy-agent applies
 * its constructor's TLS options to the connection to the proxy only, and takes those inside the
 * tunnel from each request's options, which axios does not let a caller set.
 */
type ConnectOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];

class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly tls: https.AgentOptions,
    private readonly refusals: WeakMap<object, number>,
  ) {
    super(proxy, tls);
  }

  override connect(request: http.ClientRequest, options: ConnectOptions): ReturnType<HttpsProxyAgent<string>['connect']> {
    // Emitted before the client reads the answer; a refusal is then replayed as if Code Stream sent it.
    request.once('proxyConnect', (connect: { statusCode: number }) => {
      if (connect.statusCode !== 200) this.refusals.set(request, connect.statusCode);
    });
    const { ca, rejectUnauthorized } = this.tls;
    return super.connect(request, { ...options, ...(ca ? { ca } : {}), rejectUnauthorized } as ConnectOptions);
  }
}
