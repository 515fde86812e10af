import type { AuthFlow } from '../codestream/credentials';
import type { ProviderName } from '../events/CanonicalEvent';
import type { RuleDefinition } from '../rules/RuleDefinition';
import type { StatusReporting } from '../status/CommitStatus';

/** The config file (`relay.config.yaml`), as its JSON Schema (`relay.config.schema.json`) describes it. */
export interface RelayConfig {
  codestream: CodeStreamTarget;
  sources: Record<string, SourceDefinition>;
  rules: RuleDefinition[];
}

export interface CodeStreamTarget {
  /** Aria Automation's base URL. */
  url: string;
  auth: AuthFlow;
  /** Name of the Secrets Manager secret holding `{"refreshToken": …}` or `{"apiToken": …}`. */
  secret: string;
  apiVersion?: string;
  /** For the cloud flow, where to exchange the API token. */
  authorizeUrl?: string;
  /**
   * CA certificates Code Stream's certificate chains to, trusted in addition to the public CAs: PEM
   * text, or paths to PEM files relative to the config file (one, or a list). loadConfig turns them
   * into a list of PEM texts, so the checked config (and the bundle built from it) carries the
   * certificates themselves.
   */
  caCertificates?: string | string[];
  /**
   * The proxy for every Code Stream call, winning over HTTPS_PROXY, HTTP_PROXY and NO_PROXY: a URL
   * (`http://proxy.example.com:3128`), or false to connect directly even when those are set.
   */
  proxy?: string | false;
}

export interface SourceDefinition {
  provider: ProviderName;
  /** Secrets Manager secret names: the current one, then the previous one while rotating. */
  secrets: string[];
  options?: Record<string, unknown>;
  /** How long a body is remembered, to tell a replay under a fresh delivery id (default 24; 0: off). */
  replayWindowHours?: number;
  /** How commit statuses are posted to this source's Git server, for rules with `report` (lambda/status). */
  report?: StatusReporting;
}
