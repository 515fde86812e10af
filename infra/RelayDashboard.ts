import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Dashboard, GraphWidget, Metric, SingleValueWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface RelayDashboardProps {
  api: RestApi;
  ingress: IFunction;
  relay: IFunction;
  queue: Queue;
  deadLetterQueue: Queue;
  /** The namespace the functions' Powertools metrics go to. */
  metricsNamespace: string;
  serviceName: string;
}

/** One screen that answers "is the relay working?": deliveries in, executions out, what failed. */
export class RelayDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: RelayDashboardProps) {
    super(scope, id);
    const relayMetric = (metricName: string, statistic = 'Sum') =>
      new Metric({ namespace: props.metricsNamespace, metricName, dimensionsMap: { service: props.serviceName }, statistic, period: Duration.minutes(5) });
    const deadLettered = ['retryable', 'unauthorized', 'forbidden', 'notFound', 'rejected', 'malformed'].map((outcome) =>
      relayMetric(`deadLettered.${outcome}`).with({ label: outcome }),
    );
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '## Code Stream webhook relay\nDeliveries in, executions out. A dead-lettered delivery carries its reason: `npx relay dlq list`.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Deliveries and executions',
        left: [relayMetric('received'), relayMetric('matched'), relayMetric('executionsCreated')],
        width: 12,
      }),
      new GraphWidget({ title: 'Dead-lettered, by outcome', left: deadLettered, width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Retries', left: [relayMetric('retried'), relayMetric('retriedLater')], width: 8 }),
      new GraphWidget({
        title: 'Code Stream latency (ms)',
        left: [relayMetric('codeStreamLatency', 'p50'), relayMetric('codeStreamLatency', 'p99')],
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
  }
}
