import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  MathExpression,
  SingleValueWidget,
  TextWidget,
  Unit,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { relayMetric, relayMetricSearch } from './relayMetric';

export interface RelayDashboardProps {
  api: RestApi;
  ingress: IFunction;
  relay: IFunction;
  queue: Queue;
  deadLetterQueue: Queue;
  /** Shown at the top, with their state. */
  alarms: readonly IAlarm[];
  /** Where the credential's age alarms, drawn on its graph. */
  credentialAgeAlarm: Duration;
}

/** The relay's dead-letter outcomes, as the relay counts them (`deadLettered.<outcome>`). */
const DEAD_LETTERED_OUTCOMES = ['retryable', 'unauthorized', 'forbidden', 'notFound', 'rejected', 'tls', 'malformed'];

/** One screen that answers "is the relay working?": alarms, deliveries in and refused, executions out, what failed. */
export class RelayDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: RelayDashboardProps) {
    super(scope, id);
    const deadLettered = DEAD_LETTERED_OUTCOMES.map((outcome) => relayMetric(`deadLettered.${outcome}`).with({ label: outcome }));
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '## Code Stream webhook relay\nDeliveries in, executions out. A dead-lettered delivery carries its reason: `npx relay dlq list`.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 3 }));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Deliveries and executions',
        left: [relayMetric('received'), relayMetric('matched'), relayMetric('executionsCreated')],
        width: 12,
      }),
      new GraphWidget({ title: 'Dead-lettered, by outcome', left: deadLettered, width: 12 }),
    );
    // One line per source and code that occurred; a source not in the config counts as "(unknown)".
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Refused by ingress, by source and code',
        left: [relayMetricSearch('refused', ['source', 'error'], "${PROP('Dim.source')} ${PROP('Dim.error')}")],
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Retries', left: [relayMetric('retried'), relayMetric('retriedLater')], width: 8 }),
      new GraphWidget({
        title: 'Code Stream latency (ms)',
        left: [relayMetric('codeStreamLatency', { statistic: 'p50' }), relayMetric('codeStreamLatency', { statistic: 'p99' })],
        width: 8,
      }),
      new SingleValueWidget({
        title: 'Waiting / dead-lettered',
        metrics: [props.queue.metricApproximateNumberOfMessagesVisible(), props.deadLetterQueue.metricApproximateNumberOfMessagesVisible()],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API answers',
        left: [props.api.metricCount(), props.api.metricClientError(), props.api.metricServerError()],
        width: 8,
      }),
      new GraphWidget({ title: 'Oldest waiting delivery (s)', left: [props.queue.metricApproximateAgeOfOldestMessage()], width: 8 }),
      new GraphWidget({
        title: 'Function errors and throttles',
        left: [props.ingress.metricErrors(), props.relay.metricErrors(), props.relay.metricThrottles()],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Code Stream refused the credential or the certificate',
        left: ['unauthorized', 'tls'].map((outcome) => relayMetric(`deadLettered.${outcome}`).with({ label: outcome })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Code Stream credential age (days)',
        left: [
          new MathExpression({
            expression: 'age / 86400',
            usingMetrics: { age: relayMetric('codeStreamCredentialAge', { statistic: 'Maximum', period: Duration.hours(1), unit: Unit.SECONDS }) },
            label: 'age',
            period: Duration.hours(1),
          }),
        ],
        leftAnnotations: [{ value: props.credentialAgeAlarm.toDays({ integral: false }), label: 'alarm' }, { value: 90, label: 'vRA refresh tokens expire' }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Commit statuses (rules with report)', left: [relayMetric('statusPosted'), relayMetric('statusNotPosted')], width: 12 }),
      new GraphWidget({ title: 'Delivery log writes that failed', left: [relayMetric('deliveryLogFailed')], width: 12 }),
    );
  }
}
