import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CodeStreamClient } from '../codestream/CodeStreamClient';
import { SecretCredentials } from '../codestream/SecretCredentials';
import type { IngressDependencies } from '../ingress/acceptWebhook';
import { SqsDeliveryQueue } from '../ingress/DeliveryQueue';
import { SqsDeadLetterQueue } from '../relay/DeadLetterQueue';
import { IdempotencyStore } from '../relay/IdempotencyStore';
import type { RelayDependencies } from '../relay/RelayDependencies';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../relay/RetryPolicy';
import { type LoadedConfig, loadConfig } from '../rules/loadConfig';
import { SecretsManagerSecretStore } from '../secrets/SecretsManagerSecretStore';
import type { SecretStore } from '../secrets/SecretStore';
import type { Logger } from '@aws-lambda-powertools/logger';
import { logger as lambdaLogger, metrics } from './observability';
import { traced } from './tracing';

/**
 * The functions' settings, from their environment (the CDK stack sets them):
 * - RELAY_CONFIG: the config file (default relay.config.json, else relay.config.yaml, beside the code);
 * - QUEUE_URL (ingress), DEAD_LETTER_QUEUE_URL and IDEMPOTENCY_TABLE (relay);
 * - MAX_BODY_BYTES (default 786432: with the envelope it fits SQS's 1 MiB);
 * - CODESTREAM_TIMEOUT_MS (default 10000), IDEMPOTENCY_LEASE_MS (default: the function's timeout + 60 s);
 * - MAX_RECEIVE_COUNT, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, ATTEMPTS_PER_INVOCATION, UNCERTAIN_SETTLE_MS (see RetryPolicy).
 */
/** What a caller other than Lambda (local mode, tests) brings instead of the defaults. */
export interface Overrides {
  sqs?: SQSClient;
  dynamodb?: DynamoDBClient;
  secrets?: SecretStore;
  /** An already loaded config (local mode points its Code Stream URL at the simulator). */
  config?: LoadedConfig;
  logger?: Logger;
  /** Record no metrics (local mode, which publishes none). */
  withoutMetrics?: boolean;
}

const DEFAULT_MAX_BODY_BYTES = 786_432;

export function configFrom(env: NodeJS.ProcessEnv): LoadedConfig {
  return loadConfig(env.RELAY_CONFIG ?? 'relay.config.yaml');
}

export function ingressDependencies(env: NodeJS.ProcessEnv, clients: Overrides = {}): IngressDependencies {
  const { config } = clients.config ?? configFrom(env);
  return {
    sources: config.sources,
    secrets: clients.secrets ?? new SecretsManagerSecretStore({ client: traced(new SecretsManagerClient({})) }),
    queue: new SqsDeliveryQueue(traced(clients.sqs ?? new SQSClient({})), required(env, 'QUEUE_URL')),
    maxBodyBytes: number(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
    logger: clients.logger ?? lambdaLogger,
    metrics: clients.withoutMetrics ? undefined : metrics,
  };
}

export function relayDependencies(env: NodeJS.ProcessEnv, clients: Overrides = {}): RelayDependencies {
  const { config, engine } = clients.config ?? configFrom(env);
  const logger = clients.logger ?? lambdaLogger;
  const sqs = traced(clients.sqs ?? new SQSClient({}));
  const secrets = clients.secrets ?? new SecretsManagerSecretStore({ client: traced(new SecretsManagerClient({})) });
  const queueUrl = required(env, 'QUEUE_URL');
  const timeoutMs = number(env, 'CODESTREAM_TIMEOUT_MS', 10_000);
  const { codestream } = config;
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxReceiveCount: number(env, 'MAX_RECEIVE_COUNT', DEFAULT_RETRY_POLICY.maxReceiveCount),
    queueBaseDelaySeconds: number(env, 'RETRY_BASE_SECONDS', DEFAULT_RETRY_POLICY.queueBaseDelaySeconds),
    queueMaxDelaySeconds: number(env, 'RETRY_MAX_SECONDS', DEFAULT_RETRY_POLICY.queueMaxDelaySeconds),
    attemptsPerInvocation: number(env, 'ATTEMPTS_PER_INVOCATION', DEFAULT_RETRY_POLICY.attemptsPerInvocation),
    uncertainSettleMs: number(env, 'UNCERTAIN_SETTLE_MS', DEFAULT_RETRY_POLICY.uncertainSettleMs),
  };
  return {
    engine,
    sources: config.sources,
    codestream: new CodeStreamClient({
      baseUrl: codestream.url,
      auth: codestream.auth === 'apiToken' ? { flow: 'apiToken', authorizeUrl: codestream.authorizeUrl } : { flow: 'refreshToken' },
      credentials: new SecretCredentials(secrets, codestream.secret),
      apiVersion: codestream.apiVersion,
      timeoutMs,
      logger,
      caCertificates: [codestream.caCertificates ?? []].flat(),
      proxy: codestream.proxy,
      onLogin: ({ credentialCreatedAt }) => {
        if (!credentialCreatedAt || clients.withoutMetrics) return;
        // The vRA refresh token expires 90 days after it was issued: an alarm watches this age.
        metrics.addMetric('codeStreamCredentialAge', MetricUnit.Seconds, Math.max(0, Math.round((Date.now() - credentialCreatedAt.getTime()) / 1000)));
      },
    }),
    store: new IdempotencyStore({
      client: DynamoDBDocumentClient.from(traced(clients.dynamodb ?? new DynamoDBClient({}))),
      tableName: required(env, 'IDEMPOTENCY_TABLE'),
      leaseMs: number(env, 'IDEMPOTENCY_LEASE_MS', number(env, 'AWS_LAMBDA_FUNCTION_TIMEOUT', 900) * 1000 + 60_000),
    }),
    deadLetters: new SqsDeadLetterQueue(sqs, required(env, 'DEAD_LETTER_QUEUE_URL')),
    retryLater: async (receiptHandle, seconds) => {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    },
    policy,
    logger,
    metrics: clients.withoutMetrics ? undefined : metrics,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`the ${name} environment variable is not set`);
  return value;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`the ${name} environment variable must be a non-negative number, not "${value}"`);
  return parsed;
}
