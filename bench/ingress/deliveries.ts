import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ProviderName } from '../../lambda/events/CanonicalEvent';
import type { RelayConfig } from '../../lambda/config/RelayConfig';
import type { SecretStore } from '../../lambda/secrets/SecretStore';
import { apiGatewayEvent } from '../../test/support/apiGatewayEvent';

/** One fixture delivery as the ingress function receives it, with what the baselines need. */
export interface IngressDelivery {
  /** The fixture's path under test/fixtures/webhooks, without `.json`. */
  name: string;
  source: string;
  provider: ProviderName;
  /** The body's bytes, before API Gateway encodes them. */
  bytes: Buffer;
  /** The body as text: what JSON.parse and @octokit/webhooks are given. */
  text: string;
  /** The source's current secret: what the floor's HMAC is keyed with. */
  secret: string;
  /** Header names as the fixture stores them (as sent): API Gateway keeps their case. */
  headers: Record<string, string>;
  event: APIGatewayProxyEvent;
}

// Docker Hub, Quay and Gerrit sign nothing: the secret travels in the webhook URL (docs/providers.md).
const URL_TOKEN_PROVIDERS = new Set(['dockerhub', 'quay', 'gerrit']);

/**
 * Every delivery of the corpus, addressed to the source of relay.config.yaml named like the
 * fixture's folder. The event is the one API Gateway builds for `POST /hooks/{source}`: the stack
 * declares every media type binary (`binaryMediaTypes` in infra/WebhookApi.ts), so the body
 * arrives base64-encoded, and ingress pays for decoding it.
 */
export async function loadDeliveries(fixtures: string, config: RelayConfig, secrets: SecretStore): Promise<IngressDelivery[]> {
  const index = JSON.parse(readFileSync(path.join(fixtures, 'index.json'), 'utf8')) as { entries: { file: string; headers: string }[] };
  // JFrog's docs-data-only file is the `data` object alone, as the docs page shows it: not a delivery.
  const entries = index.entries.filter((entry) => !entry.file.includes('.docs-data-only.'));
  const deliveries: IngressDelivery[] = [];
  for (const entry of entries) {
    const source = entry.file.split('/')[0] ?? '';
    const definition = config.sources[source];
    if (!definition?.secrets[0]) throw new Error(`${entry.file}: relay.config.yaml has no source "${source}" with a secret`);
    const secret = (await secrets.get(definition.secrets[0])).value;
    const headers = JSON.parse(readFileSync(path.join(fixtures, entry.headers), 'utf8')) as Record<string, string>;
    const bytes = readFileSync(path.join(fixtures, entry.file));
    // The source's own option names the parameter where it renames the provider's `token`.
    const tokenQuery = typeof definition.options?.tokenQuery === 'string' ? definition.options.tokenQuery : 'token';
    const query = URL_TOKEN_PROVIDERS.has(definition.provider) ? { [tokenQuery]: secret } : {};
    deliveries.push({
      name: entry.file.replace(/\.json$/, ''),
      source,
      provider: definition.provider,
      bytes,
      text: bytes.toString('utf8'),
      secret,
      headers,
      event: apiGatewayEvent({ source, headers, query, body: bytes }),
    });
  }
  return deliveries;
}
