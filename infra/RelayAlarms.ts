import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { relayMetric } from './relayMetric';

export interface RelayAlarmsProps {
  api: RestApi;
  ingress: IFunction;
  relay: IFunction;
  queue: IQueue;
  deadLetterQueue: IQueue;
  /** The DLQ's alarm, made with the queues: it notifies like the others. */
  deadLetterAlarm: Alarm;
  /** The Secrets Manager secret holding the Code Stream credential, named in what to do. */
  codeStreamSecret: string;
  /** Alarm when the oldest waiting delivery is older than this. */
  oldestMessageAge: Duration;
  /** Alarm when the Code Stream credential is older than this. */
  credentialAge: Duration;
  /** Every alarm's alarm and OK action. @default none */
  topic?: ITopic;
}

/**
 * What an operator must hear about, each alarm saying what to do: failing or throttled functions,
 * API 5xx, deliveries waiting too long, and the Code Stream credential or certificate refused or
 * about to expire. Missing data is never breaching: a quiet relay is a healthy one.
 */
export class RelayAlarms extends Construct {
  readonly relayErrorsAlarm: Alarm;
  readonly relayThrottlesAlarm: Alarm;
  readonly ingressErrorsAlarm: Alarm;
  readonly apiServerErrorsAlarm: Alarm;
  readonly oldestMessageAlarm: Alarm;
  readonly unauthorizedAlarm: Alarm;
  readonly tlsAlarm: Alarm;
  readonly credentialAgeAlarm: Alarm;
  readonly statusNotPostedAlarm: Alarm;
  /** Every alarm of the relay, the DLQ's included. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RelayAlarmsProps) {
    super(scope, id);
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const redrive = `npx relay dlq redrive --all --queue ${props.queue.queueName} --dlq ${props.deadLetterQueue.queueName}`;
    this.relayErrorsAlarm = this.#atLeastOnce(
      'RelayErrors',
      props.relay.metricErrors(fiveMinutes),
      'The relay function failed on a batch (an exception or a timeout); its deliveries go back to the queue and are retried. ' +
        'Read the relay log group for the error. Timeouts near the relay timeout mean Code Stream is slow or unreachable: check the route, proxy and security group.',
    );
    this.relayThrottlesAlarm = this.#atLeastOnce(
      'RelayThrottles',
      props.relay.metricThrottles(fiveMinutes),
      "The relay function was throttled: the account's Lambda concurrency is used up. Deliveries wait in the queue; " +
        'raise the concurrency quota or reserve concurrency for the relay.',
    );
    this.ingressErrorsAlarm = this.#atLeastOnce(
      'IngressErrors',
      props.ingress.metricErrors(fiveMinutes),
      'The ingress function failed: senders got a 5xx and may retry or drop the delivery. Read the ingress log group; ' +
        'check its access to the queue, the webhook secrets and their KMS key. Redeliver from the provider where needed.',
    );
    this.apiServerErrorsAlarm = this.#atLeastOnce(
      'ApiServerErrors',
      props.api.metricServerError(fiveMinutes),
      'The webhook API answered 5xx: a delivery could not be queued (503) or ingress failed. Read the API access log and the ingress log group; ' +
        "redeliver from the provider's webhook page where the sender does not retry.",
    );
    this.oldestMessageAlarm = new Alarm(this, 'OldestMessage', {
      alarmDescription:
        `A delivery has waited more than ${props.oldestMessageAge.toHumanString()} in the queue: the relay is not keeping up or cannot reach Code Stream. ` +
        'Check the relay errors, retries and Code Stream latency on the dashboard; raise maxConcurrency if Code Stream can take more.',
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: props.oldestMessageAge.toSeconds(),
      ...breachingOnce,
    });
    this.unauthorizedAlarm = this.#atLeastOnce(
      'Unauthorized',
      relayMetric('deadLettered.unauthorized'),
      `Code Stream refused the relay's credential even after a token renewal: the refresh token in secret ${props.codeStreamSecret} was revoked or has expired. ` +
        `Create a new token, put it in the secret, then redrive the dead-lettered deliveries: ${redrive}`,
    );
    this.tlsAlarm = this.#atLeastOnce(
      'Tls',
      relayMetric('deadLettered.tls'),
      "The relay could not verify Code Stream's certificate: it changed, expired, or chains to a CA missing from codestream.caCertificates. " +
        `Fix the certificate or the config, redeploy, then redrive the dead-lettered deliveries: ${redrive}`,
    );
    this.credentialAgeAlarm = new Alarm(this, 'CredentialAge', {
      alarmDescription:
        `The Code Stream credential in secret ${props.codeStreamSecret} is ${props.credentialAge.toHumanString()} old or more, and vRA refresh tokens expire after 90 days. ` +
        'Create a new token and put it in the secret before the old one expires.',
      metric: relayMetric('codeStreamCredentialAge', { statistic: 'Maximum', period: Duration.hours(1), unit: Unit.SECONDS }),
      threshold: props.credentialAge.toSeconds(),
      ...breachingOnce,
    });
    this.statusNotPostedAlarm = this.#atLeastOnce(
      'StatusNotPosted',
      relayMetric('statusNotPosted'),
      'A commit status of a rule with report could not be posted to its Git server (docs/reporting.md): the token lacks the permission, expired or was revoked, ' +
        "or the server could not be reached. Read the relay log's \"Commit status not posted\" lines for the source and why; fix the source's report.secret, apiUrl or network. " +
        'The executions ran: only the statuses on the commits are missing.',
    );
    this.alarms = [
      props.deadLetterAlarm,
      this.relayErrorsAlarm,
      this.relayThrottlesAlarm,
      this.ingressErrorsAlarm,
      this.apiServerErrorsAlarm,
      this.oldestMessageAlarm,
      this.unauthorizedAlarm,
      this.tlsAlarm,
      this.credentialAgeAlarm,
      this.statusNotPostedAlarm,
    ];
    if (props.topic) {
      const notify = new SnsAction(props.topic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
      }
    }
  }

  #atLeastOnce(id: string, metric: IMetric, alarmDescription: string): Alarm {
    return new Alarm(this, id, { alarmDescription, metric, threshold: 1, ...breachingOnce });
  }
}

const breachingOnce = {
  evaluationPeriods: 1,
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  treatMissingData: TreatMissingData.NOT_BREACHING,
};
