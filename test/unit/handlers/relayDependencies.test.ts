import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../lambda/config/loadConfig';
import { relayDependencies } from '../../../lambda/handlers/relayDependencies';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';

const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'relay-lease-')), 'relay.config.yaml');
writeFileSync(configFile, 'codestream: { url: "https://codestream.example", auth: refreshToken, secret: codestream/relay }\nsources: {}\nrules: []\n');
const config = loadConfig(configFile).config;
const SETTINGS = { QUEUE_URL: 'http://127.0.0.1:9/q', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/dlq', IDEMPOTENCY_TABLE: 't' };
const build = (env: Record<string, string>) => relayDependencies({ ...SETTINGS, ...env }, { secrets: new InMemorySecretStore({}), config });

describe('the idempotency lease', () => {
  it('is refused when it could lapse while an invocation still works: shorter than the function’s timeout + 5 s', () => {
    expect(() => build({ FUNCTION_TIMEOUT_MS: '60000', IDEMPOTENCY_LEASE_MS: '64999' })).toThrow(
      "IDEMPOTENCY_LEASE_MS is 64999 ms; it must be at least the function's timeout (FUNCTION_TIMEOUT_MS, 60000 ms) + 5000 ms, " +
        'or a claim could lapse while its holder still works and a second receive call Code Stream again',
    );
  });

  it('is taken when it outlasts the timeout by the margin, and defaults to the timeout + 60 s', () => {
    expect(() => build({ FUNCTION_TIMEOUT_MS: '60000', IDEMPOTENCY_LEASE_MS: '65000' })).not.toThrow();
    expect(() => build({ FUNCTION_TIMEOUT_MS: '60000' })).not.toThrow();
  });

  it('is measured against Lambda’s longest timeout, 900 s, when the function’s is not given', () => {
    expect(() => build({ IDEMPOTENCY_LEASE_MS: '60000' })).toThrow(/FUNCTION_TIMEOUT_MS, 900000 ms/);
  });
});
