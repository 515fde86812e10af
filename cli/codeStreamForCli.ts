import { CodeStreamClient } from '../lambda/codestream/CodeStreamClient';
import type { Failure } from '../lambda/codestream/Outcome';
import { SecretCredentials } from '../lambda/codestream/SecretCredentials';
import { codeStreamClientOptions } from '../lambda/config/codeStreamClientOptions';
import type { CodeStreamTarget } from '../lambda/config/RelayConfig';
import { SecretsManagerSecretStore } from '../lambda/secrets/SecretsManagerSecretStore';
import { FileSecretStore } from '../local/FileSecretStore';
import { CommandError } from './errors';
import { EXIT } from './Io';

/** The parseArgs options that say which Code Stream a command reads, and with which credential. */
export const CODESTREAM_OPTIONS = {
  url: { type: 'string' },
  secrets: { type: 'string' },
} as const;

export const CODESTREAM_OPTIONS_USAGE = `  --url URL      Code Stream's base URL (default: the config's codestream.url), e.g. local mode's simulator
  --secrets FILE the credential from a JSON file of secret name → value, as relay.secrets.local.json
                 (default: the config's codestream.secret from Secrets Manager, with the AWS SDK's credentials)`;

/**
 * A Code Stream client for the CLI, with the config's auth flow, API version, CAs and proxy, so
 * that a command reaches Code Stream as the relay does, from inside the same network. Logs nothing:
 * failures come back as outcomes that the command reports.
 */
export function codeStreamForCli(settings: CodeStreamTarget, options: { url?: string; secrets?: string }): CodeStreamClient {
  const store = options.secrets === undefined ? new SecretsManagerSecretStore() : new FileSecretStore(options.secrets);
  return new CodeStreamClient({
    ...codeStreamClientOptions(settings),
    ...(options.url === undefined ? {} : { baseUrl: options.url }),
    credentials: new SecretCredentials(store, settings.secret),
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
  });
}

/**
 * The error for a read that Code Stream did not answer, or refused: exit 2, since nothing could be
 * checked or imported, said once. `what` is what was read, as "the pipelines". The outcome's reason
 * never holds a token.
 */
export function codeStreamUnavailable(outcome: Failure, url: string, what: string): CommandError {
  const refused = outcome.kind === 'unauthorized' || outcome.kind === 'forbidden';
  const message =
    outcome.stage === 'credentials'
      ? `cannot read ${what} from Code Stream: ${outcome.reason}`
      : refused
        ? `Code Stream at ${url} refused the credential: ${outcome.reason}`
        : `cannot read ${what} from Code Stream at ${url}: ${outcome.reason}`;
  return new CommandError(message, { code: refused ? 'codestream_refused' : 'codestream_unreachable', exit: EXIT.unavailable });
}
