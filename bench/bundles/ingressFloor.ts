import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The ingress function's floor in the bundle benchmark: only the AWS SDK clients it cannot do
 * without (SQS to enqueue, Secrets Manager for the webhook secrets), made at the top level as a
 * handler file would make them, and bundled as the real functions are. What the ingress bundle
 * costs beyond this is its own code and libraries.
 */
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});

export async function handler(): Promise<{ clients: number }> {
  return { clients: [sqs, secrets].length };
}
