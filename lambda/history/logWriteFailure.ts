import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * A write to the delivery log that failed: logged ("The delivery log was not written", with the
 * context and why) and counted (`deliveryLogFailed`). The log describes the work; it never stops it.
 */
export function logWriteFailure(observers: { logger: Pick<Logger, 'warn'>; metrics?: Pick<Metrics, 'addMetric'> }, context: Record<string, unknown>, error: unknown): void {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  observers.logger.warn('The delivery log was not written', { ...context, reason });
  observers.metrics?.addMetric('deliveryLogFailed', MetricUnit.Count, 1);
}
