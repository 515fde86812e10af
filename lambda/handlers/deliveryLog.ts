import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryLog } from '../history/DeliveryLog';
import { DynamoDeliveryLog } from '../history/DynamoDeliveryLog';
import { DEFAULT_RETENTION_DAYS } from '../history/deliveryTable';
import { number } from './settings';

/**
 * The delivery log where the stack gave its table (DELIVERIES_TABLE), keeping deliveries
 * DELIVERY_LOG_RETENTION_DAYS (default 30); undefined, and nothing recorded, without one.
 * `client` is called at the first write.
 */
export function deliveryLog(env: NodeJS.ProcessEnv, client: () => DynamoDBDocumentClient | Promise<DynamoDBDocumentClient>): DeliveryLog | undefined {
  const tableName = env.DELIVERIES_TABLE;
  if (!tableName) return undefined;
  return new DynamoDeliveryLog({ client, tableName, retentionDays: number(env, 'DELIVERY_LOG_RETENTION_DAYS', DEFAULT_RETENTION_DAYS) });
}
