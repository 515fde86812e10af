import { generateKeyPairSync } from 'node:crypto';
import { StatusCredentialError, parseStatusCredential } from '../../../lambda/status/parseStatusCredential';
import { secretForms } from '../../support/secretEncodings';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

function refusal(text: string, provider: Parameters<typeof parseStatusCredential>[1]): string {
  try {
    parseStatusCredential(text, provider, 'git/status-secret');
  } catch (error) {
    expect(error).toBeInstanceOf(StatusCredentialError);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

it('reads a plain string as a token, surrounding whitespace and a final line break dropped', () => {
  expect(parseStatusCredential('  ghp_abc123\n', 'github', 's')).toEqual({ kind: 'token', token: 'ghp_abc123' });
  expect(parseStatusCredential('glpat-xyz', 'gitlab', 's')).toEqual({ kind: 'token', token: 'glpat-xyz' });
});

it('reads {"username","appPassword"} as Bitbucket Cloud basic credentials', () => {
  expect(parseStatusCredential('{"username":"relay-bot","appPassword":"ATBB-secret"}', 'bitbucket-cloud', 's')).toEqual({ kind: 'basic', username: 'relay-bot', password: 'ATBB-secret' });
});

it('reads {"appId","privateKey","installationId"} as a GitHub App, ids as strings, with literal \\n in the key accepted', () => {
  // Written `\\n` in the JSON: the value holds a backslash and an n where the PEM has line breaks.
  const oneLine = PEM.trim().replaceAll('\n', '\\n');
  expect(parseStatusCredential(JSON.stringify({ appId: 123456, privateKey: oneLine, installationId: '7890' }), 'github', 's')).toEqual({
    kind: 'githubApp',
    appId: '123456',
    privateKey: PEM.trim(),
    installationId: '7890',
  });
  expect(parseStatusCredential(JSON.stringify({ appId: 'Iv23li', privateKey: PEM, installationId: 42 }), 'github', 's')).toMatchObject({ appId: 'Iv23li', privateKey: PEM, installationId: '42' });
});

it.each([
  ['', 'github', 'is empty: for GitHub it must hold a token, the whole text of the secret, or for a GitHub App the JSON {"appId","privateKey","installationId"}'],
  ['Bearer ghp_abc', 'github', 'holds spaces or line breaks, which no token has'],
  ['{"token":"ghp_abc"}', 'github', 'is JSON with the fields ["token"]'],
  ['{"username":"u","appPassword":"p"}', 'github', 'is JSON with the fields ["username","appPassword"]'],
  ['{"appId":1,"privateKey":"k","installationId":2}', 'gitlab', 'is JSON with the fields ["appId","privateKey","installationId"]: for GitLab it must hold a token, the whole text of the secret'],
  ['{"username":"u","appPassword":""}', 'bitbucket-cloud', 'needs "username" and "appPassword" as non-empty strings: for Bitbucket Cloud it must hold a token, the whole text of the secret (an access token), or the JSON {"username","appPassword"}'],
  ['{"appId":1,"privateKey":"not a key","installationId":2}', 'github', 'has a "privateKey" that is not an RSA private key in PEM'],
  ['{"appId":1,"privateKey":"k"}', 'github', 'needs "appId" and "installationId", each a number or a non-empty string'],
  ['{"appId":1,"privateKey":"","installationId":2}', 'github', 'needs "privateKey", the PEM text of the app\'s private key'],
] as const)('refuses %j for %s, naming the secret and the forms', (text, provider, expected) => {
  const message = refusal(text, provider);
  expect(message).toMatch(/^the secret git\/status-secret /);
  expect(message).toContain(expected);
});

it('refuses an Ed25519 key: GitHub Apps sign with RSA', () => {
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  expect(refusal(JSON.stringify({ appId: 1, privateKey: ed, installationId: 2 }), 'github')).toContain('is not an RSA private key');
});

it('never quotes the secret, in any encoding, even when JSON.parse would', () => {
  const value = 'sup3r-s3cret-t0ken-Ω';
  for (const text of [`{"token": ${value}`, `${value} with spaces`, JSON.stringify({ appId: 1, privateKey: value, installationId: 2 }), JSON.stringify({ username: 'u', appPassword: value, extra: 1 })]) {
    for (const provider of ['github', 'bitbucket-cloud', 'gitlab'] as const) {
      let message = '';
      try {
        parseStatusCredential(text, provider, 'git/status-secret');
      } catch (error) {
        message = (error as Error).message;
      }
      for (const form of secretForms(value)) expect(message).not.toContain(form);
    }
  }
});
