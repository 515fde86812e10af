import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidSignatureError, MissingSignatureError, WebhookError } from '../lambda/providers/errors';
import { adapterFor } from '../lambda/providers/registry';
import type { SourceConfig, WebhookRequest } from '../lambda/providers/types';
import { CommandError } from './errors';

/**
 * The values of a source's secret names from a JSON file of secret name → value, as
 * relay.secrets.local.json.
 * @throws CommandError when the file cannot be read, or lacks one of the names.
 */
export function readSecrets(file: string, names: readonly string[]): { name: string; value: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CommandError(`cannot read the secrets file ${file}: ${(error as Error).message}`, { code: 'unreadable_file', cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CommandError(`${file} must be a JSON object of secret names and values`, { code: 'unreadable_file' });
  const secrets = parsed as Record<string, unknown>;
  return names.map((name) => {
    const value = secrets[name];
    if (typeof value !== 'string') throw new CommandError(`${file} has no string value for the source's secret ${name}`, { code: 'unreadable_file' });
    return { name, value };
  });
}

const ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;

/**
 * Authenticates the delivery as ingress does (lambda/providers/receiveWebhook.ts), and returns
 * what to say on success: which secret it is valid for.
 * @throws CommandError saying why it fails, naming headers and secret names, never a secret's or a signature's value.
 */
export function checkAuthentication(source: SourceConfig, request: WebhookRequest, secrets: readonly { name: string; value: string }[]): string {
  const adapter = adapterFor(source.provider);
  const authenticate = (values: readonly string[]) => adapter.authenticate(request, values, source.options ?? {});
  if (secrets.length === 0) return 'the source has no secrets: its deliveries are not authenticated';
  try {
    authenticate(secrets.map((secret) => secret.value));
  } catch (error) {
    if (error instanceof MissingSignatureError) {
      throw new CommandError(`authentication fails: header missing: ${error.message}`, { code: error.code, cause: error });
    }
    if (error instanceof InvalidSignatureError) {
      throw new CommandError(`authentication fails: ${error.message}: ${whyInvalid(request, secrets)}`, { code: error.code, cause: error });
    }
    if (error instanceof WebhookError) throw new CommandError(`authentication fails: ${error.code}: ${error.message}`, { code: error.code, cause: error });
    throw error;
  }
  const valid = secrets.find((secret) => {
    try {
      authenticate([secret.value]);
      return true;
    } catch {
      return false;
    }
  });
  return `authenticated as ingress would, with the secret ${valid?.name ?? secrets.map((secret) => secret.name).join(' or ')}`;
}

/**
 * Why no secret matched: each header whose value looks like an HMAC is compared with the HMACs of
 * the body under every secret and algorithm. One that matches under another algorithm than the
 * source checks says so; one that matches none means the body changed or the secret is wrong.
 */
function whyInvalid(request: WebhookRequest, secrets: readonly { name: string; value: string }[]): string {
  const findings: string[] = [];
  for (const [header, raw] of Object.entries(request.headers)) {
    const match = /^(?:(sha1|sha256|sha512)=)?([0-9a-f]{40,128}|[A-Za-z0-9+/]{27,86}={0,2})$/i.exec(raw.trim());
    if (!match?.[2]) continue;
    const [, prefix, digest] = match;
    const found = matchingHmac(request.body, digest, secrets);
    if (found) {
      findings.push(`${header} holds a valid ${found.algorithm} HMAC of this body under ${found.secret}, but the source checks another algorithm or header there`);
    } else if (prefix !== undefined || /^[0-9a-f]+$/i.test(digest)) {
      findings.push(`${header} matches no HMAC (sha1, sha256, sha512) of this body under ${secrets.map((secret) => secret.name).join(' or ')}: the body changed since it was signed, or it was signed with another secret`);
    }
  }
  return findings.length > 0 ? findings.join('; ') : `the credential matches none of ${secrets.map((secret) => secret.name).join(', ')}: a wrong secret`;
}

function matchingHmac(body: Buffer, digest: string, secrets: readonly { name: string; value: string }[]): { algorithm: string; secret: string } | undefined {
  for (const algorithm of ALGORITHMS) {
    for (const secret of secrets) {
      const hmac = createHmac(algorithm, secret.value).update(body).digest();
      if (hmac.toString('hex') === digest.toLowerCase() || hmac.toString('base64') === digest) return { algorithm, secret: secret.name };
    }
  }
  return undefined;
}
