import { generateKeyPairSync } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RelayConfig, SourceDefinition } from '../../../lambda/config/RelayConfig';
import { reporting } from '../../../lambda/handlers/reporting';
import { UnusableCredentialError } from '../../../lambda/status/followExecution';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { RecordingLogger } from '../../support/recordingObservability';

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function config(sources: RelayConfig['sources']): RelayConfig {
  return { codestream: { url: 'https://vra.example.com', auth: 'refreshToken', secret: 'codestream/relay' }, sources, rules: [] };
}

const GITHUB: SourceDefinition = { provider: 'github', secrets: ['webhooks/github'], report: { secret: 'status/github' } };
const build = (sources: RelayConfig['sources'], secrets: Record<string, string>) =>
  reporting({}, config(sources), new InMemorySecretStore(secrets), {} as SQSClient, 'https://sqs.example/queue', new RecordingLogger());

describe('the relay’s reporting, from its config and secrets', () => {
  it('is off when no source reports', () => {
    expect(build({ github: { provider: 'github', secrets: ['webhooks/github'] } }, {})).toBeUndefined();
  });

  it('reads a GitHub App’s credential once for the same secret text, and anew once the secret changes', async () => {
    const secrets: Record<string, string> = { 'status/github': JSON.stringify({ appId: '12', privateKey: PRIVATE_KEY, installationId: '34' }) };
    const built = build({ github: GITHUB }, secrets);
    const first = await built?.credentialOf('github');
    expect(first).toMatchObject({ kind: 'githubApp', appId: '12', installationId: '34' });
    expect(await built?.credentialOf('github')).toBe(first);
    secrets['status/github'] = 'ghp_rotated-token';
    expect(await built?.credentialOf('github')).toEqual({ kind: 'token', token: 'ghp_rotated-token' });
  });

  it('a secret that is missing, or no credential the provider takes, is unusable: no retry can help', async () => {
    await expect(build({ github: GITHUB }, {})?.credentialOf('github')).rejects.toBeInstanceOf(UnusableCredentialError);
    await expect(build({ github: GITHUB }, { 'status/github': '{"appId": "12"}' })?.credentialOf('github')).rejects.toBeInstanceOf(UnusableCredentialError);
    await expect(build({ github: GITHUB }, { 'status/github': 't' })?.credentialOf('gitlab')).rejects.toThrow('the source gitlab has no report block');
  });
});
