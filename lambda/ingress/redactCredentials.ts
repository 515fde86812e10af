import { record, text } from '../providers/json';
import type { SourceConfig, WebhookRequest } from '../providers/types';

const REDACTED = '[redacted]';

// Headers that carry a credential for some provider, not a signature of the body.
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-gitlab-token', 'x-jfrog-event-auth', 'x-api-key', 'x-relay-token'];

/**
 * The delivery without its credentials, fit for the queue, logs and the dead-letter queue: the
 * headers and query parameters that carry tokens, and any header, parameter or body text that
 * contains one of the source's secrets (old Gitea servers put the secret in the body).
 * Signatures stay: they prove nothing without the secret.
 */
export function redactCredentials(
  request: WebhookRequest,
  source: SourceConfig,
): { body: string; headers: Record<string, string>; query: Record<string, string> } {
  const options = source.options ?? {};
  const headerNames = new Set(
    [...CREDENTIAL_HEADERS, text(options, 'tokenHeader'), text(record(options, 'token'), 'header')]
      .filter((name): name is string => name !== undefined)
      .map((name) => name.toLowerCase()),
  );
  const queryNames = new Set(['token', text(options, 'tokenQuery'), text(record(options, 'token'), 'query')].filter((name) => name !== undefined));
  const secrets = source.secrets.filter((secret) => secret !== '');
  const scrub = (value: string) => secrets.reduce((result, secret) => result.split(secret).join(REDACTED), value);
  const redact = (values: Record<string, string>, names: Set<string | undefined>) =>
    Object.fromEntries(Object.entries(values).map(([name, value]) => [name, names.has(name) ? REDACTED : scrub(value)]));
  return {
    body: scrub(request.body.toString('utf8')),
    headers: redact(request.headers, headerNames),
    query: redact(request.query, queryNames),
  };
}
