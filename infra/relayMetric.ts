import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';

/** POWERTOOLS_SERVICE_NAME of both functions: the `service` dimension of their metrics. */
export const RELAY_SERVICE = 'codestream-relay';
/** POWERTOOLS_METRICS_NAMESPACE of both functions. */
export const RELAY_METRICS_NAMESPACE = 'CodeStreamRelay';

/**
 * One of the functions' Powertools (EMF) metrics: `received`, `deadLettered.<outcome>`,
 * `codeStreamCredentialAge`, … Sum over five minutes unless told otherwise.
 *
 * @example
 * const unauthorized = relayMetric('deadLettered.unauthorized');
 * const age = relayMetric('codeStreamCredentialAge', { statistic: 'Maximum', period: Duration.hours(1) });
 */
export function relayMetric(metricName: string, options: Omit<MetricOptions, 'dimensionsMap'> = {}): Metric {
  return new Metric({
    namespace: RELAY_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: RELAY_SERVICE },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...options,
  });
}

/**
 * Every series of a metric published with dimensions of its own beside `service` (`refused`, by
 * `source` and `error`): a SEARCH over those dimensions, one line per series, summed over five
 * minutes. A SEARCH draws whatever values occur, so none need be known at synth; it cannot feed
 * an alarm.
 *
 * @example
 * const bySourceAndCode = relayMetricSearch('refused', ['source', 'error'], "${PROP('Dim.source')} ${PROP('Dim.error')}");
 */
export function relayMetricSearch(metricName: string, dimensions: readonly string[], label: string): MathExpression {
  const schema = [RELAY_METRICS_NAMESPACE, 'service', ...dimensions].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}" service="${RELAY_SERVICE}"', 'Sum', 300)`,
    usingMetrics: {},
    label,
    period: Duration.minutes(5),
  });
}
