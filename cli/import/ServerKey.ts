import type { ProviderName } from '../../lambda/events/CanonicalEvent';

/** The server a webhook is for: its webhooks share one source, and so one URL and one secret. */
export interface ServerKey {
  provider: ProviderName;
  /** The source's name when it is the only server of its kind, e.g. `github`, `github-enterprise`. */
  name: string;
  /** What tells this server from others of its kind, where known: a host, or a registry endpoint's name. */
  qualifier?: string;
  /** For people: `GitHub`, `Bitbucket Data Center at bitbucket.example.com`, `Harbor, registry endpoint "Harbor-Prod"`. */
  description: string;
  /** The webhook's serverType, as Code Stream spells it. */
  serverType?: string;
  /** The server's base URL, where the webhook gives it: bitbucket-server's `serverUrl` option. */
  serverUrl?: string;
}

/** The key that groups webhooks into sources. */
export function serverIdentity(key: ServerKey): string {
  return [key.provider, key.name, key.qualifier ?? ''].join('\u0000');
}
