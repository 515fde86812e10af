import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RelayConfig } from '../lambda/rules/RelayConfig';
import { RelayDashboard } from './RelayDashboard';
import { RelayQueues } from './RelayQueues';
import { WebhookApi } from './WebhookApi';

export interface WebhookRelayProps {
  /** The checked config (loadConfig); it is bundled with the functions as JSON. */
  config: RelayConfig;
  /** Timeout of the relay function; the queue's visibility timeout is six times it. @default 60 seconds */
  relayTimeout?: Duration;
  /** How many relay functions may run at once: what protects Code Stream from a burst. @default 5 */
  maxConcurrency?: number;
  /** Records per relay invocation. @default 10 */
  batchSize?: number;
  /** How long to gather a batch. @default 1 second */
  maxBatchingWindow?: Duration;
  /** The receive at which the relay dead-letters a delivery still failing (MAX_RECEIVE_COUNT). @default 8 */
  maxReceiveCount?: number;
  /** Steady-state requests per second the API accepts. @default 50 */
  throttlingRateLimit?: number;
  /** Burst of requests the API accepts. @default 100 */
  throttlingBurstLimit?: number;
  /** Retention of every log group. @default one month */
  logRetention?: RetentionDays;
  /** Route ECR image pushes of this account and region straight to the queue, for the config's aws-ecr source. @default false */
  ecrEventsToQueue?: boolean;
  /** Code Stream call timeout (CODESTREAM_TIMEOUT_MS). @default 10 seconds */
  codestreamTimeout?: Duration;
  /** A WAFv2 web ACL to associate with the API stage. @default none */
  webAclArn?: string;
}

const SERVICE = 'codestream-relay';
const METRICS_NAMESPACE = 'CodeStreamRelay';
const LAMBDA_DIR = path.join(__dirname, '../lambda/handlers');

/**
 * The whole relay: `POST /hooks/{source}` on API Gateway, the ingress function, the delivery queue
 * and its DLQ (with an alarm), the relay function fed by the queue, the idempotency table, the
 * secrets the config names, a dashboard, and optionally ECR events straight to the queue.
 * Every resource is a public field, to extend without escape hatches.
 *
 * @example
 * const { config } = loadConfig('relay.config.yaml');
 * const relay = new WebhookRelay(stack, 'Relay', { config, maxConcurrency: 2 });
 * relay.deadLetterAlarm.addAlarmAction(new SnsAction(topic));
 */
export class WebhookRelay extends Construct {
  readonly api: RestApi;
  readonly ingressFunction: NodejsFunction;
  readonly relayFunction: NodejsFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly idempotencyTable: Table;
  readonly dashboard: Dashboard;
  readonly ecrRule?: Rule;
  readonly webhookUrls: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WebhookRelayProps) {
    super(scope, id);
    const relayTimeout = props.relayTimeout ?? Duration.seconds(60);
    const maxReceiveCount = props.maxReceiveCount ?? 8;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const configDir = writeConfigJson(props.config);

    const queues = new RelayQueues(this, 'Queues', { relayTimeout, maxReceiveCount: maxReceiveCount + 2 });
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    this.deadLetterAlarm = queues.deadLetterAlarm;

    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const common = {
      RELAY_CONFIG: 'relay.config.json',
      POWERTOOLS_SERVICE_NAME: SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      // The bundles ship source maps: stack traces in the logs then name the TypeScript lines.
      NODE_OPTIONS: '--enable-source-maps',
    };
    this.ingressFunction = this.#function('Ingress', 'ingress.ts', configDir, logRetention, Duration.seconds(29), {
      ...common,
      QUEUE_URL: this.queue.queueUrl,
    });
    this.relayFunction = this.#function('Relay', 'relay.ts', configDir, logRetention, relayTimeout, {
      ...common,
      QUEUE_URL: this.queue.queueUrl,
      DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
      MAX_RECEIVE_COUNT: String(maxReceiveCount),
      CODESTREAM_TIMEOUT_MS: String((props.codestreamTimeout ?? Duration.seconds(10)).toMilliseconds()),
      IDEMPOTENCY_LEASE_MS: String(relayTimeout.toMilliseconds() + 60_000),
    });

    // Each function gets only what it uses.
    this.queue.grantSendMessages(this.ingressFunction);
    this.deadLetterQueue.grantSendMessages(this.relayFunction);
    this.idempotencyTable.grant(this.relayFunction, 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:PutItem');
    const secret = (name: string) => Secret.fromSecretNameV2(this, `Secret-${name.replace(/[^A-Za-z0-9]/g, '-')}`, name);
    for (const name of new Set(Object.values(props.config.sources).flatMap((source) => source.secrets))) {
      secret(name).grantRead(this.ingressFunction);
    }
    secret(props.config.codestream.secret).grantRead(this.relayFunction);
    this.relayFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
        maxConcurrency: props.maxConcurrency ?? 5,
        reportBatchItemFailures: true,
      }),
    );

    const api = new WebhookApi(this, 'Webhooks', {
      ingress: this.ingressFunction,
      throttlingRateLimit: props.throttlingRateLimit ?? 50,
      throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
      logRetention,
      webAclArn: props.webAclArn,
    });
    this.api = api.api;
    this.webhookUrls = Object.fromEntries(Object.keys(props.config.sources).map((name) => [name, api.webhookUrl(name)]));

    if (props.ecrEventsToQueue) {
      this.ecrRule = new Rule(this, 'EcrImagePushes', {
        description: 'ECR image pushes, straight to the relay queue',
        eventPattern: { source: ['aws.ecr'], detailType: ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] } },
        targets: [new SqsQueue(this.queue)],
      });
    }

    this.dashboard = new RelayDashboard(this, 'Dashboard', {
      api: this.api,
      ingress: this.ingressFunction,
      relay: this.relayFunction,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: SERVICE,
    }).dashboard;
  }

  #function(id: string, entry: string, configDir: string, retention: RetentionDays, timeout: Duration, environment: Record<string, string>): NodejsFunction {
    // A role of its own, instead of AWSLambdaBasicExecutionRole: it may write to its log group only.
    const logGroup = new LogGroup(this, `${id}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    return new NodejsFunction(this, id, {
      role,
      entry: path.join(LAMBDA_DIR, entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout,
      environment,
      logGroup,
      bundling: {
        format: OutputFormat.CJS,
        minify: true,
        sourceMap: true,
        target: 'node24',
        // The AWS SDK is pinned and bundled, not taken from the runtime.
        externalModules: [],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The checked config travels with the code, as JSON: the fastest to load at a cold start.
          afterBundling: (_inputDir: string, outputDir: string) => [`cp "${path.join(configDir, 'relay.config.json')}" "${outputDir}/relay.config.json"`],
        },
      },
    });
  }
}

/** The config as JSON in a folder of its own, for the bundler to copy. */
function writeConfigJson(config: RelayConfig): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-config-'));
  writeFileSync(path.join(dir, 'relay.config.json'), JSON.stringify(config));
  return dir;
}

