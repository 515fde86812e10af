import type { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RelayConfig } from '../config/RelayConfig';
import { readBundledConfig } from '../config/readBundledConfig';
import { DEFAULT_MAX_BODY_BYTES, type IngressDependencies } from '../ingress/acceptWebhook';
import { SqsDeliveryQueue } from '../ingress/DeliveryQueue';
import { SecretsManagerSecretStore } from '../secrets/SecretsManagerSecretStore';
import type { SecretStore } from '../secrets/SecretStore';
import { logger as lambdaLogger, metrics } from './observability';
import { bundledConfigFile, number, required } from './settings';
import { traced } from './tracing';

/** What a caller other than Lambda (local mode, tests) brings instead of the defaults. */
export interface IngressOverrides {
  sqs?: SQSClient;
  secrets?: SecretStore;
  /** A config already loaded and checked (local mode's, with its file's line numbers). */
  config?: RelayConfig;
  logger?: Logger;
  /** Record no metrics (local mode, which publishes none). */
  withoutMetrics?: boolean;
}

/**
 * The ingress function's composition root: the bundled config's sources, Secrets Manager for the
 * webhook secrets, and the delivery queue. Settings: RELAY_CONFIG (default relay.config.json),
 * QUEUE_URL, MAX_BODY_BYTES (default 737280: base64-encoded, with its envelope, it fits SQS's
 * 1 MiB). Nothing of the relay function's is imported here.
 */
export function ingressDependencies(env: NodeJS.ProcessEnv, overrides: IngressOverrides = {}): IngressDependencies {
  const config = overrides.config ?? readBundledConfig(bundledConfigFile(env));
  return {
    sources: config.sources,
    secrets: overrides.secrets ?? new SecretsManagerSecretStore({ client: traced(new SecretsManagerClient({})) }),
    queue: new SqsDeliveryQueue(traced(overrides.sqs ?? new SQSClient({})), required(env, 'QUEUE_URL')),
    maxBodyBytes: number(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
    logger: overrides.logger ?? lambdaLogger,
    metrics: overrides.withoutMetrics ? undefined : metrics,
  };
}
