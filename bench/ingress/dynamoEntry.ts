/*
 * What bench/ingress/bundledDynamo.ts bundles: the delivery log, the relay's idempotency store and
 * the in-process DynamoDB client, sharing one copy of the AWS SDK, as a Lambda bundle does.
 */
export { DynamoDeliveryLog } from '../../lambda/history/DynamoDeliveryLog';
export { IdempotencyStore } from '../../lambda/relay/IdempotencyStore';
export { InstantDynamo } from './instantDynamo';
