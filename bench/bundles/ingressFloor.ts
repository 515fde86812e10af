import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The ingress function's floor in the bundle benchmark: only the AWS SDK clients it uses (SQS to
 * enqueue, Secrets Manager for the webhook secrets, DynamoDB and its document client for the
 * delivery log's refusals and pings), made at the top level as a handler file would make them, and
 * bundled as the real functions are. What the ingress bundle costs beyond this is its own code and
 * libraries; ingress itself loads DynamoDB at its first write, not at a cold start.
 */
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function handler(): Promise<{ clients: number }> {
  return { clients: [sqs, secrets, documents].length };
}
