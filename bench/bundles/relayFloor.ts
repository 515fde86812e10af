import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import axios from 'axios';

/**
 * The relay function's floor in the bundle benchmark: only the clients it cannot do without (SQS
 * for retries and the dead-letter queue, DynamoDB and its document client for idempotency,
 * Secrets Manager for the Code Stream credential, axios for Code Stream), made at the top level
 * as a handler file would make them, and bundled as the real functions are. What the relay
 * bundle costs beyond this is its own code and libraries.
 */
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const http = axios.create();

export async function handler(): Promise<{ clients: number }> {
  return { clients: [sqs, secrets, documents, http].length };
}
