import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DecidedDelivery } from '../history/DeliveryLog';
import type { RuleDecision } from '../history/DeliveryRecord';
import type { RelayDependencies } from './RelayDependencies';

/**
 * Writes decisions of a delivery to the delivery log, where there is one. A failed write is logged
 * and counted: the log describes the work, it never stops it.
 */
export async function recordDecisions(dependencies: RelayDependencies, delivery: DecidedDelivery, decisions: readonly RuleDecision[]): Promise<void> {
  if (!dependencies.deliveries || decisions.length === 0) return;
  try {
    await dependencies.deliveries.decided(delivery, decisions);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    dependencies.logger.warn('The delivery log was not written', { source: delivery.source, deliveryId: delivery.deliveryId, rules: decisions.map((decision) => decision.rule), reason });
    dependencies.metrics?.addMetric('deliveryLogFailed', MetricUnit.Count, 1);
  }
}
