import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RelayConfig } from '../config/RelayConfig';
import { readBundledConfig } from '../config/readBundledConfig';
import { DEFAULT_MAX_BODY_BYTES, type IngressDependencies } from '../ingress/acceptWebhook';
import { SqsDeliveryQueue } from '../ingress/DeliveryQueue';
import { SecretsManagerSecretStore } from '../secrets/SecretsManagerSecretStore';
import type { SecretStore } from '../secrets/SecretStore';
import { bodyStore } from './bodyStore';
import { logger as lambdaLogger, metrics } from './observability';
import { bundledConfigFile, number, required } from './settings';
import { deliveryLog } from './deliveryLog';
import { traced } from './tracing';

/** What a caller other than Lambda (local mode, tests) brings instead of the defaults. */
export interface IngressOverrides {
  sqs?: SQSClient;
  /** The client of the bucket for large bodies (local mode's S3 server). */
  s3?: S3Client;
  dynamodb?: DynamoDBClient;
  secrets?: SecretStore;
  /** A config already loaded and checked (local mode's, with its file's line numbers). */
  config?: RelayConfig;
  logger?: Logger;
  /** Record no metrics (local mode, which publishes none). */
  withoutMetrics?: boolean;
}

/**
 * The delivery log's client, loaded at its first write (a refusal, a ping): an accepted delivery,
 * the hot path, writes nothing at ingress, and a cold start loads no DynamoDB SDK.
 */
async function documentClient(dynamodb: DynamoDBClient | undefined) {
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);
  return DynamoDBDocumentClient.from(traced(dynamodb ?? new DynamoDBClient({})));
}

/**
 * The ingress function's composition root: the bundled config's sources, Secrets Manager for the
 * webhook secrets, the delivery queue, and the bucket for large bodies. Settings: RELAY_CONFIG
 * (default relay.config.json), QUEUE_URL, BODY_BUCKET (where a body too large for a queued
 * message is kept; without it such a delivery gets 413), MAX_BODY_BYTES (default 4669440: the
 * largest body whose event surely fits Lambda's 6 MB payload), DELIVERIES_TABLE and
 * DELIVERY_LOG_RETENTION_DAYS (the delivery log, lambda/history; without the table nothing is
 * recorded). Nothing of the relay function's is imported here.
 */
export function ingressDependencies(env: NodeJS.ProcessEnv, overrides: IngressOverrides = {}): IngressDependencies {
  const config = overrides.config ?? readBundledConfig(bundledConfigFile(env));
  return {
    sources: config.sources,
    secrets: overrides.secrets ?? new SecretsManagerSecretStore({ client: traced(new SecretsManagerClient({})) }),
    queue: new SqsDeliveryQueue(traced(overrides.sqs ?? new SQSClient({})), required(env, 'QUEUE_URL')),
    bodies: bodyStore(env, overrides.s3),
    maxBodyBytes: number(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
    deliveries: deliveryLog(env, () => documentClient(overrides.dynamodb)),
    logger: overrides.logger ?? lambdaLogger,
    metrics: overrides.withoutMetrics ? undefined : metrics,
  };
}
