import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CodeStreamClient } from '../codestream/CodeStreamClient';
import { SecretCredentials } from '../codestream/SecretCredentials';
import { codeStreamClientOptions } from '../config/codeStreamClientOptions';
import type { RelayConfig } from '../config/RelayConfig';
import { readBundledConfig } from '../config/readBundledConfig';
import { SqsDeadLetterQueue } from '../relay/DeadLetterQueue';
import { SqsDeferredQueue } from '../relay/DeferredQueue';
import { IdempotencyStore } from '../relay/IdempotencyStore';
import { QuietWindowStore } from '../relay/QuietWindowStore';
import type { RelayDependencies } from '../relay/RelayDependencies';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../relay/RetryPolicy';
import { RuleEngine } from '../rules/RuleEngine';
import { SecretsManagerSecretStore } from '../secrets/SecretsManagerSecretStore';
import type { SecretStore } from '../secrets/SecretStore';
import { bodyStore } from './bodyStore';
import { deliveryLog } from './deliveryLog';
import { reporting } from './reporting';
import { logger as lambdaLogger, metrics } from './observability';
import { bundledConfigFile, number, required } from './settings';
import { traced } from './tracing';

/** What a caller other than Lambda (local mode, tests) brings instead of the defaults. */
export interface RelayOverrides {
  sqs?: SQSClient;
  /** The client of the bucket for large bodies (local mode's S3 server). */
  s3?: S3Client;
  dynamodb?: DynamoDBClient;
  secrets?: SecretStore;
  /** A config already loaded and checked (local mode points its Code Stream URL at the simulator). */
  config?: RelayConfig;
  /** Its rules, compiled already. @default compiled from `config` */
  engine?: RuleEngine;
  logger?: Logger;
  /** Record no metrics (local mode, which publishes none). */
  withoutMetrics?: boolean;
}

/** What a claim's lease must outlast the invocation by: the writes that record its result, clocks that differ. */
const LEASE_MARGIN_MS = 5_000;

/**
 * IDEMPOTENCY_LEASE_MS, by default the function's timeout (FUNCTION_TIMEOUT_MS, the stack sets it;
 * Lambda's longest, 900 s, if not) + 60 s.
 * @throws Error for a lease that could lapse while its holder still works: a second receive would
 *   claim the key and call Code Stream again.
 */
function leaseMs(env: NodeJS.ProcessEnv): number {
  const timeoutMs = number(env, 'FUNCTION_TIMEOUT_MS', 900_000);
  const lease = number(env, 'IDEMPOTENCY_LEASE_MS', timeoutMs + 60_000);
  if (lease < timeoutMs + LEASE_MARGIN_MS) {
    throw new Error(
      `IDEMPOTENCY_LEASE_MS is ${lease} ms; it must be at least the function's timeout (FUNCTION_TIMEOUT_MS, ${timeoutMs} ms) + ${LEASE_MARGIN_MS} ms, ` +
        'or a claim could lapse while its holder still works and a second receive call Code Stream again',
    );
  }
  return lease;
}

/**
 * The relay function's composition root: the bundled config's rules compiled once, the Code Stream
 * client, the idempotency table (and the quiet windows in it), the queue (where deliveries wait out
 * quiet periods) and its DLQ, and the bucket of large bodies. Settings:
 * RELAY_CONFIG (default relay.config.json), QUEUE_URL, DEAD_LETTER_QUEUE_URL, IDEMPOTENCY_TABLE,
 * BODY_BUCKET (where ingress keeps bodies too large for a queued message), DELIVERIES_TABLE and
 * DELIVERY_LOG_RETENTION_DAYS (the delivery log, handlers/deliveryLog.ts), REPORT_* (commit
 * statuses, handlers/reporting.ts), CODESTREAM_TIMEOUT_MS
 * (default 10000), FUNCTION_TIMEOUT_MS, IDEMPOTENCY_LEASE_MS (see {@link leaseMs}), and
 * MAX_RECEIVE_COUNT, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, ATTEMPTS_PER_INVOCATION,
 * UNCERTAIN_SETTLE_MS (see RetryPolicy).
 */
export function relayDependencies(env: NodeJS.ProcessEnv, overrides: RelayOverrides = {}): RelayDependencies {
  const config = overrides.config ?? readBundledConfig(bundledConfigFile(env));
  const logger = overrides.logger ?? lambdaLogger;
  const sqs = traced(overrides.sqs ?? new SQSClient({}));
  const secrets = overrides.secrets ?? new SecretsManagerSecretStore({ client: traced(new SecretsManagerClient({})) });
  const queueUrl = required(env, 'QUEUE_URL');
  const { codestream } = config;
  const documents = DynamoDBDocumentClient.from(traced(overrides.dynamodb ?? new DynamoDBClient({})));
  const tableName = required(env, 'IDEMPOTENCY_TABLE');
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxReceiveCount: number(env, 'MAX_RECEIVE_COUNT', DEFAULT_RETRY_POLICY.maxReceiveCount),
    queueBaseDelaySeconds: number(env, 'RETRY_BASE_SECONDS', DEFAULT_RETRY_POLICY.queueBaseDelaySeconds),
    queueMaxDelaySeconds: number(env, 'RETRY_MAX_SECONDS', DEFAULT_RETRY_POLICY.queueMaxDelaySeconds),
    attemptsPerInvocation: number(env, 'ATTEMPTS_PER_INVOCATION', DEFAULT_RETRY_POLICY.attemptsPerInvocation),
    uncertainSettleMs: number(env, 'UNCERTAIN_SETTLE_MS', DEFAULT_RETRY_POLICY.uncertainSettleMs),
  };
  return {
    bodies: bodyStore(env, overrides.s3),
    engine: overrides.engine ?? RuleEngine.fromDefinitions(config.rules),
    sources: config.sources,
    codestream: new CodeStreamClient({
      ...codeStreamClientOptions(codestream),
      credentials: new SecretCredentials(secrets, codestream.secret),
      timeoutMs: number(env, 'CODESTREAM_TIMEOUT_MS', 10_000),
      logger,
      onLogin: ({ credentialCreatedAt }) => {
        if (!credentialCreatedAt || overrides.withoutMetrics) return;
        // The vRA refresh token expires 90 days after it was issued: an alarm watches this age.
        metrics.addMetric('codeStreamCredentialAge', MetricUnit.Seconds, Math.max(0, Math.round((Date.now() - credentialCreatedAt.getTime()) / 1000)));
      },
    }),
    store: new IdempotencyStore({ client: documents, tableName, leaseMs: leaseMs(env) }),
    windows: new QuietWindowStore({ client: documents, tableName }),
    deadLetters: new SqsDeadLetterQueue(sqs, required(env, 'DEAD_LETTER_QUEUE_URL')),
    deliveries: deliveryLog(env, () => documents),
    reporting: reporting(env, config, secrets, sqs, queueUrl, logger),
    deferrals: new SqsDeferredQueue(sqs, queueUrl),
    retryLater: async (receiptHandle, seconds) => {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    },
    policy,
    logger,
    metrics: overrides.withoutMetrics ? undefined : metrics,
  };
}
