/**
 * The server a request goes to, as failure reasons name it, and where its settings are in the
 * config: Code Stream under `codestream`, a source's Git server under `sources.<name>.report`.
 */
export interface Peer {
  /** `Code Stream`, `GitHub`, … */
  name: string;
  /** The config key whose `url` (or `apiUrl`), `caCertificates` and `proxy` reach it. */
  settings: string;
  /** The key of its URL within `settings`. */
  urlKey: string;
  /** What the machine is called in a remedy: Code Stream's `appliance`, a Git `server`. */
  machine: string;
}

export const CODE_STREAM: Peer = { name: 'Code Stream', settings: 'codestream', urlKey: 'url', machine: 'appliance' };
