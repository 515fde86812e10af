import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientLogger } from '../codestream/CodeStreamClient';
import type { RelayConfig } from '../config/RelayConfig';
import { SecretReadError, type SecretStore } from '../secrets/SecretStore';
import type { ReportingProvider, StatusCredential, StatusPoster } from '../status/CommitStatus';
import { DEFAULT_FOLLOW_SCHEDULE, type Reporting, UnusableCredentialError } from '../status/followExecution';
import { SqsFollowQueue } from '../status/FollowQueue';
import { HttpStatusPoster } from '../status/HttpStatusPoster';
import { StatusCredentialError, parseStatusCredential } from '../status/parseStatusCredential';
import { number } from './settings';

/**
 * Commit statuses for rules with `report`, where a source has a `report` block: a poster per such
 * source (its CAs, its proxy), its credential read from Secrets Manager at each post (the store
 * caches it), and the relay's queue for the follow messages. Settings: REPORT_MAX_AGE_HOURS
 * (default 24), REPORT_FIRST_CHECK_SECONDS (default 10), REPORT_TIMEOUT_MS (default 10000).
 * Undefined, and no status posted, when no source reports.
 */
export function reporting(env: NodeJS.ProcessEnv, config: RelayConfig, secrets: SecretStore, sqs: SQSClient, queueUrl: string, logger: ClientLogger): Reporting | undefined {
  const posters = new Map<string, StatusPoster>();
  for (const [name, source] of Object.entries(config.sources)) {
    if (!source.report) continue;
    const { caCertificates, proxy } = source.report;
    posters.set(name, new HttpStatusPoster({ caCertificates: [caCertificates ?? []].flat(), proxy, timeoutMs: number(env, 'REPORT_TIMEOUT_MS', 10_000), logger }));
  }
  if (posters.size === 0) return undefined;
  // Parsed once per secret text: a GitHub App's private key is not read again at every post, and a rotated secret is read anew.
  const parsed = new Map<string, { text: string; credential: StatusCredential }>();
  return {
    posterFor: (source) => {
      const poster = posters.get(source);
      if (!poster) throw new UnusableCredentialError(`the source ${source} has no report block`);
      return poster;
    },
    credentialOf: async (source) => {
      const definition = config.sources[source];
      if (!definition?.report) throw new UnusableCredentialError(`the source ${source} has no report block`);
      const { secret } = definition.report;
      try {
        const { value } = await secrets.get(secret);
        const known = parsed.get(source);
        if (known?.text === value) return known.credential;
        const credential = parseStatusCredential(value, definition.provider as ReportingProvider, secret);
        parsed.set(source, { text: value, credential });
        return credential;
      } catch (error) {
        if (error instanceof StatusCredentialError || (error instanceof SecretReadError && error.permanent)) throw new UnusableCredentialError(error.message);
        throw error;
      }
    },
    follows: new SqsFollowQueue(sqs, queueUrl),
    schedule: {
      ...DEFAULT_FOLLOW_SCHEDULE,
      firstCheckSeconds: number(env, 'REPORT_FIRST_CHECK_SECONDS', DEFAULT_FOLLOW_SCHEDULE.firstCheckSeconds),
      maxAgeMs: number(env, 'REPORT_MAX_AGE_HOURS', DEFAULT_FOLLOW_SCHEDULE.maxAgeMs / 3_600_000) * 3_600_000,
    },
  };
}
