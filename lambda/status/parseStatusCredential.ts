import { createPrivateKey } from 'node:crypto';
import type { ReportingProvider, StatusCredential } from './CommitStatus';
import { SERVER_NAMES } from './serverNames';

/** A secret that is not a credential the provider takes. Its message names the secret, never its value. */
export class StatusCredentialError extends Error {
  override readonly name = 'StatusCredentialError';
}

const TOKEN = 'a token, the whole text of the secret';
const FORMS: Record<ReportingProvider, string> = {
  github: `${TOKEN}, or for a GitHub App the JSON {"appId","privateKey","installationId"}`,
  gitlab: TOKEN,
  'bitbucket-cloud': `${TOKEN} (an access token), or the JSON {"username","appPassword"}`,
  'bitbucket-server': TOKEN,
  gitea: TOKEN,
  forgejo: TOKEN,
};

/**
 * Reads the text of a source's `report.secret` as the credential its provider takes: a plain
 * string is a token; JSON `{"username","appPassword"}` a Bitbucket Cloud username and app password
 * (or Atlassian API token); JSON `{"appId","privateKey","installationId"}` a GitHub App, its
 * private key in PEM, line breaks written as `\n` accepted (as a one-line JSON value has them).
 *
 * @throws StatusCredentialError naming `secretName` and the forms the provider takes; never the
 *   value, not even in part (JSON.parse's message quotes the text, so it is not passed on).
 */
export function parseStatusCredential(text: string, provider: ReportingProvider, secretName: string): StatusCredential {
  const refuse = (problem: string) =>
    new StatusCredentialError(`the secret ${secretName} ${problem}: for ${SERVER_NAMES[provider]} it must hold ${FORMS[provider]}`);
  const trimmed = text.trim();
  if (trimmed === '') throw refuse('is empty');
  if (!trimmed.startsWith('{')) {
    if (/\s/.test(trimmed)) throw refuse('holds spaces or line breaks, which no token has');
    return { kind: 'token', token: trimmed };
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    throw refuse('starts with { but is not JSON');
  }
  if (provider === 'bitbucket-cloud' && 'appPassword' in value) {
    const { username, appPassword } = value;
    if (!nonEmptyString(username) || !nonEmptyString(appPassword)) throw refuse('needs "username" and "appPassword" as non-empty strings');
    return { kind: 'basic', username, password: appPassword };
  }
  if (provider === 'github' && 'privateKey' in value) return githubApp(value, refuse);
  throw refuse(`is JSON with the fields ${JSON.stringify(Object.keys(value))}`);
}

function githubApp(value: Record<string, unknown>, refuse: (problem: string) => StatusCredentialError): StatusCredential {
  const appId = idOf(value.appId);
  const installationId = idOf(value.installationId);
  if (appId === undefined || installationId === undefined) throw refuse('needs "appId" and "installationId", each a number or a non-empty string');
  if (!nonEmptyString(value.privateKey)) throw refuse('needs "privateKey", the PEM text of the app\'s private key');
  const privateKey = value.privateKey.replaceAll('\\n', '\n');
  try {
    if (createPrivateKey(privateKey).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw refuse('has a "privateKey" that is not an RSA private key in PEM (GitHub gives one, -----BEGIN RSA PRIVATE KEY-----)');
  }
  return { kind: 'githubApp', appId, privateKey, installationId };
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  return nonEmptyString(value) ? value.trim() : undefined;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
