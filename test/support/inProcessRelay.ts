import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalRelay, type LocalRelayOptions } from '../../local/LocalRelay';
import { REFRESH_TOKEN } from './simulatorFixture';

const ROOT = path.join(__dirname, '../..');

/** A GitHub push of a new branch, from the fixtures: what the in-process relay's tests send. */
export const PUSH_BODY = readFileSync(path.join(ROOT, 'test/fixtures/webhooks/github/push.branch-created.json'));

export interface InProcessRelayOptions extends Partial<LocalRelayOptions> {
  /** Where its config, secrets and state go. */
  dir: string;
  codestreamUrl: string;
  /** The `github` source's secret. */
  webhookSecret: string;
  /** The rules, YAML lines of `rules:`. */
  rules: string;
  /** The sources, YAML lines of `sources:`. @default one `github` source, its secret `webhooks/github` */
  sources?: string;
  /** More secrets, by name. */
  secrets?: Record<string, unknown>;
  /** What follows `secret: codestream/relay` in the codestream block (`, caCertificates: …`). */
  codestream?: string;
  /** @default "https://vra.corp.example": local mode replaces it with `codestreamUrl` */
  configuredUrl?: string;
  print: (line: string) => void;
}

/**
 * Local mode in this process, as a test runs it: one `github` source (or those given), the rules given, the
 * simulator's refresh token, fast retries, and no wait for queued deliveries at a stop.
 */
export function inProcessRelay(options: InProcessRelayOptions): LocalRelay {
  const { dir, webhookSecret, rules, codestream = '', configuredUrl = 'https://vra.corp.example', sources, secrets, ...relayOptions } = options;
  writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ 'codestream/relay': { refreshToken: REFRESH_TOKEN }, 'webhooks/github': webhookSecret, ...secrets }));
  const configFile = path.join(dir, 'relay.config.yaml');
  writeFileSync(
    configFile,
    `codestream: { url: "${configuredUrl}", auth: refreshToken, secret: codestream/relay${codestream} }
sources:
${sources ?? '  github: { provider: github, secrets: [webhooks/github] }'}
rules:
${rules}
`,
  );
  return new LocalRelay({
    port: 0,
    configFile,
    secretsFile: path.join(dir, 'secrets.json'),
    stateDir: path.join(dir, 'state'),
    env: { MAX_RECEIVE_COUNT: '3', RETRY_BASE_SECONDS: '1', RETRY_MAX_SECONDS: '1' },
    drainMs: 0,
    ...relayOptions,
  });
}

/** POSTs `body` to the relay's `github` source as GitHub sends a push, signed with `secret`; resolves to the status. */
export async function pushTo(url: string, options: { deliveryId: string; secret: string; body?: Buffer; headers?: Record<string, string> }): Promise<number> {
  const body = options.body ?? PUSH_BODY;
  const response = await fetch(`${url}/hooks/github`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': options.deliveryId,
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`,
      ...options.headers,
    },
    body,
  });
  return response.status;
}
