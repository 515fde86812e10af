import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ARecord, IHostedZone } from 'aws-cdk-lib/aws-route53';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { RelayConfig } from '../lambda/config/RelayConfig';
import { DEFAULT_RETENTION_DAYS } from '../lambda/history/deliveryTable';
import { BodyBucket } from './BodyBucket';
import { DeliveryLogTable } from './DeliveryLogTable';
import { codeStreamPort } from './codeStreamPort';
import type { RateLimitWebAclProps } from './RateLimitWebAcl';
import { RelayAlarms } from './RelayAlarms';
import { RelayDashboard } from './RelayDashboard';
import { RELAY_METRICS_NAMESPACE, RELAY_SERVICE } from './relayMetric';
import { RelayNetwork } from './RelayNetwork';
import { RelayQueues } from './RelayQueues';
import { type ThrottleLimits, throttlingPerSource } from './sourceThrottling';
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
  /** The stage's default limit of each method, requests per second (API Gateway applies it to each method, not to their sum). @default 50 */
  throttlingRateLimit?: number;
  /** The stage's default burst of each method. @default 100 */
  throttlingBurstLimit?: number;
  /**
   * Each configured source's own limit, at its own `/hooks/<source>`: a flood on one source,
   * signed or not, uses up only its own. Positive numbers; the burst a whole one.
   * @default throttlingRateLimit and throttlingBurstLimit, for each source
   */
  sourceThrottling?: ThrottleLimits;
  /** Limits of named sources, in place of sourceThrottling's (either part may be left out). Only configured sources. @default none */
  sourceThrottlingOverrides?: Readonly<Record<string, Partial<ThrottleLimits>>>;
  /** The limit of `/hooks/{source}`, which now only answers names that are no configured source (404). @default 1 request per second, burst 5 */
  unknownSourceThrottling?: ThrottleLimits;
  /** Retention of every log group. @default one month */
  logRetention?: RetentionDays;
  /** Route ECR image pushes of this account and region straight to the queue, for the config's aws-ecr source. @default false */
  ecrEventsToQueue?: boolean;
  /** Code Stream call timeout (CODESTREAM_TIMEOUT_MS). @default 10 seconds */
  codestreamTimeout?: Duration;
  /** A WAFv2 web ACL to associate with the API stage. @default none */
  webAclArn?: string;
  /**
   * Make an AWS WAF web ACL for the stage, with one rule: block an IP address over
   * `requestsPer5Minutes` (10 to 2,000,000,000). It costs a monthly fee for the ACL and for the
   * rule, and a fee per million requests inspected (docs/deploy.md). Not with `webAclArn`.
   * @default false
   */
  webAcl?: RateLimitWebAclProps | false;

  /**
   * The VPC the relay function runs in, to reach an on-premises Code Stream over VPN or Direct
   * Connect. Its subnets need a route to Code Stream (or its proxy), and to AWS: a NAT, or the
   * endpoints of `vpcEndpoints`.
   * @default none: both functions run outside any VPC
   */
  vpc?: IVpc;
  /** The relay's subnets (and ingress's with `ingressInVpc`); the interface endpoints go there too. @default the VPC's private subnets */
  vpcSubnets?: SubnetSelection;
  /**
   * The functions' security groups, as they are: they must allow Code Stream and AWS (see
   * `codeStreamCidrs`); the endpoints of `vpcEndpoints` accept HTTPS from them.
   * @default one created for the relay (and one for ingress, with `ingressInVpc`) that allows no
   * inbound traffic, and outbound only: the Code Stream port to `codeStreamCidrs`; and HTTPS to the
   * endpoints and the DynamoDB and S3 prefix lists with `vpcEndpoints` (ingress: S3's only), or
   * else HTTPS to 0.0.0.0/0, which the public AWS endpoints behind a NAT need
   */
  securityGroups?: ISecurityGroup[];
  /**
   * Where Code Stream is, or its proxy when `codestream.proxy` is a URL: the only addresses the
   * relay's own security group lets it reach besides AWS, on the proxy URL's port (80 for http:,
   * 443 for https: by default), else Code Stream's URL's (443 by default). Required with `vpc` and
   * no `securityGroups`.
   * @default none
   */
  codeStreamCidrs?: string[];
  /**
   * Where the Git servers are that rules with `report` post commit statuses to: HTTPS (443) from
   * the relay's own security group. Not needed when they are reached through a proxy in
   * `codeStreamCidrs`, or with `securityGroups` of your own.
   * @default none
   */
  gitServerCidrs?: string[];
  /** Run the ingress function in the VPC too (it needs AWS only: SQS, Secrets Manager, S3 and DynamoDB). @default false */
  ingressInVpc?: boolean;
  /**
   * Create what subnets without a NAT need: interface endpoints with private DNS in the relay's
   * subnets for SQS, Secrets Manager, CloudWatch Logs and Monitoring (and KMS with
   * `encryptionKey`, X-Ray with `tracing`), with a security group that accepts HTTPS from the
   * functions, and DynamoDB and S3 gateway endpoints on the subnets' route tables. Private DNS is
   * VPC-wide, and a route table takes one gateway endpoint per service: leave this off if the VPC
   * has such endpoints already.
   * @default false
   */
  vpcEndpoints?: boolean;
  /**
   * The region's DynamoDB managed prefix list (`aws ec2 describe-managed-prefix-lists --filters
   * Name=prefix-list-name,Values=com.amazonaws.<region>.dynamodb`), for both functions' egress to
   * the gateway endpoint of `vpcEndpoints`.
   * @default looked up at deploy time by a custom resource
   */
  dynamoDbPrefixListId?: string;
  /**
   * The region's S3 managed prefix list (`…Values=com.amazonaws.<region>.s3`), for the functions'
   * egress to the gateway endpoint of `vpcEndpoints`.
   * @default looked up at deploy time by a custom resource
   */
  s3PrefixListId?: string;

  /**
   * A customer-managed key for the queue, the DLQ, the idempotency table, the body bucket and every
   * log group. The construct adds to its key policy what CloudWatch Logs needs, and EventBridge with
   * `ecrEventsToQueue`. An imported key's policy (Key.fromKeyArn) cannot be changed: it must then
   * allow the principal `logs.<region>.amazonaws.com` kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*,
   * kms:GenerateDataKey* and kms:Describe* (condition kms:EncryptionContext:aws:logs:arn on this
   * account's log groups) and, with `ecrEventsToQueue`, `events.amazonaws.com` kms:GenerateDataKey*
   * and kms:Decrypt.
   * @default AWS-managed encryption: SQS-managed keys, DynamoDB's AWS-managed key, S3-managed keys,
   * CloudWatch Logs' own
   */
  encryptionKey?: IKey;
  /**
   * The key the webhook and Code Stream secrets are encrypted with: each function that reads
   * secrets may kms:Decrypt with it through Secrets Manager only (kms:ViaService).
   * @default encryptionKey; without either, the secrets' AWS-managed key, which needs no grant
   */
  secretsEncryptionKey?: IKey;

  /** Every alarm notifies this topic, in alarm and back to OK. @default alarms notify nobody */
  alarmTopic?: ITopic;
  /** Alarm when a delivery has waited this long in the queue. @default 15 minutes */
  oldestMessageAlarmAge?: Duration;
  /** Alarm when the Code Stream credential is this old, to rotate it before it expires (vRA refresh tokens live 90 days). @default 80 days */
  credentialAgeAlarm?: Duration;

  /**
   * How long the delivery log keeps each delivery and its decisions (`relay deliveries`, `relay
   * console`). `Duration.days(0)` keeps no log: no table, and nothing written.
   * @default 30 days
   */
  deliveryLogRetention?: Duration;

  /**
   * How long the relay follows an execution for a rule with `report`, to post its result on the
   * commit; past it, the commit gets `error` (REPORT_MAX_AGE_HOURS).
   * @default 24 hours
   */
  reportMaxAge?: Duration;

  /** Active X-Ray tracing of both functions (POWERTOOLS_TRACE_ENABLED). @default false */
  tracing?: boolean;

  /** A custom domain for the webhook URLs: `https://<domainName>/hooks/<source>`, TLS 1.2 or later. @default the execute-api URL */
  domainName?: string;
  /** The domain's certificate, in the stack's region. Required with `domainName`. @default none */
  certificate?: ICertificate;
  /** A hosted zone in which to create the domain's alias A record. @default no record: point the domain at `api.domainName.domainNameAliasDomainName` yourself */
  hostedZone?: IHostedZone;
  /**
   * Create the role API Gateway writes logs with and set it in the account's API Gateway settings.
   * That setting is account-wide and one per region: without it here, the API still writes access
   * logs and ERROR execution logs, which need the account's CloudWatch role to be set once, by
   * another stack or by hand (API Gateway console, Settings).
   * @default false
   */
  apiGatewayCloudWatchRole?: boolean;
}

/**
 * The functions' entry points: the TypeScript sources in a clone of the repository, the compiled
 * JavaScript (lib/lambda/handlers) in the installed package. esbuild bundles either.
 */
const LAMBDA_DIR = path.join(__dirname, '../lambda/handlers');
const entryOf = (name: string): string => {
  const source = path.join(LAMBDA_DIR, `${name}.ts`);
  return existsSync(source) ? source : path.join(LAMBDA_DIR, `${name}.js`);
};

/** Where a function runs in the VPC. */
interface Placement {
  vpc: IVpc;
  vpcSubnets?: SubnetSelection;
  securityGroups: ISecurityGroup[];
}

interface FunctionOptions {
  /** The handler file in lambda/handlers, without its extension. */
  entry: string;
  configDir: string;
  logRetention: RetentionDays;
  timeout: Duration;
  environment: Record<string, string>;
  encryptionKey?: IKey;
  tracing: boolean;
  placement?: Placement;
}

/**
 * The whole relay: `POST /hooks/{source}` on API Gateway, the ingress function, the delivery queue
 * and its DLQ, the relay function fed by the queue, the idempotency table, the bucket for bodies too
 * large to queue, the secrets the config names, alarms that say what to do, a dashboard, and
 * optionally ECR events straight to the queue.
 * It can run next to an on-premises Code Stream: in a VPC, with restricted egress and endpoints,
 * customer-managed keys and a custom domain. Every resource is a public field, to extend without
 * escape hatches.
 *
 * @example
 * const { config } = loadConfig('relay.config.yaml');
 * const relay = new WebhookRelay(stack, 'Relay', {
 *   config,
 *   maxConcurrency: 2,
 *   vpc,
 *   codeStreamCidrs: ['10.20.0.0/16'],
 *   vpcEndpoints: true,
 *   alarmTopic: new AlarmTopic(stack, 'Alarms', { emails: ['platform-team@example.com'] }).topic,
 * });
 */
export class WebhookRelay extends Construct {
  readonly api: RestApi;
  readonly ingressFunction: NodejsFunction;
  readonly relayFunction: NodejsFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly idempotencyTable: Table;
  /** Every delivery ingress answered and each rule's decision; absent when `deliveryLogRetention` is 0. */
  readonly deliveryLogTable?: Table;
  /** The bodies of deliveries whose message would not fit SQS, under `bodies/`: the queued message names its object. */
  readonly bodyBucket: Bucket;
  readonly dashboard: Dashboard;
  readonly ecrRule?: Rule;
  /** The security groups and endpoints, with `vpc`. */
  readonly network?: RelayNetwork;
  /** The custom domain's alias record, with `hostedZone`. */
  readonly aliasRecord?: ARecord;
  /** The web ACL made with `webAcl`. */
  readonly webAcl?: CfnWebACL;
  readonly webhookUrls: Readonly<Record<string, string>>;
  /** The DLQ holds a message. */
  readonly deadLetterAlarm: Alarm;
  /** Every alarm, each a field (`alarms.tlsAlarm`, …) and all in `alarms.alarms`, the DLQ's included. */
  readonly alarms: RelayAlarms;

  constructor(scope: Construct, id: string, props: WebhookRelayProps) {
    super(scope, id);
    checkProps(props);
    const throttling = { rateLimit: props.throttlingRateLimit ?? 50, burstLimit: props.throttlingBurstLimit ?? 100 };
    // Checked with the other props, before anything is built.
    const sourceThrottling = throttlingPerSource({
      sources: Object.keys(props.config.sources),
      stage: throttling,
      perSource: props.sourceThrottling,
      overrides: props.sourceThrottlingOverrides,
      unknownSources: props.unknownSourceThrottling ?? { rateLimit: 1, burstLimit: 5 },
    });
    const relayTimeout = props.relayTimeout ?? Duration.seconds(60);
    const maxReceiveCount = props.maxReceiveCount ?? 8;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const tracing = props.tracing ?? false;
    const key = props.encryptionKey;
    const secretsKey = props.secretsEncryptionKey ?? key;
    const configDir = writeConfigJson(props.config);
    if (key) this.#letCloudWatchLogsUse(key);

    const queues = new RelayQueues(this, 'Queues', { relayTimeout, maxReceiveCount: maxReceiveCount + 2, encryptionKey: key });
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    this.deadLetterAlarm = queues.deadLetterAlarm;

    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(key ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: key } : { encryption: TableEncryption.AWS_MANAGED }),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const logDays = (props.deliveryLogRetention ?? Duration.days(DEFAULT_RETENTION_DAYS)).toDays();
    const deliveryLog = logDays > 0 ? new DeliveryLogTable(this, 'DeliveryLog', { encryptionKey: key }) : undefined;
    this.deliveryLogTable = deliveryLog?.table;
    const logSettings: Record<string, string> = deliveryLog ? { DELIVERIES_TABLE: deliveryLog.table.tableName, DELIVERY_LOG_RETENTION_DAYS: String(logDays) } : {};

    const bodies = new BodyBucket(this, 'Bodies', { queues, encryptionKey: key });
    this.bodyBucket = bodies.bucket;

    if (props.vpc) {
      this.network = new RelayNetwork(this, 'Network', {
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        securityGroups: props.securityGroups,
        codeStreamCidrs: props.codeStreamCidrs,
        gitServerCidrs: props.gitServerCidrs,
        codeStreamPort: codeStreamPort(props.config.codestream),
        ingressInVpc: props.ingressInVpc ?? false,
        vpcEndpoints: props.vpcEndpoints ?? false,
        kmsEndpoint: key !== undefined || secretsKey !== undefined,
        xrayEndpoint: tracing,
        dynamoDbPrefixListId: props.dynamoDbPrefixListId,
        s3PrefixListId: props.s3PrefixListId,
        logRetention,
        encryptionKey: key,
      });
    }
    const placement = (securityGroups: readonly ISecurityGroup[] | undefined): Placement | undefined =>
      props.vpc && securityGroups ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: [...securityGroups] } : undefined;

    const common = {
      RELAY_CONFIG: 'relay.config.json',
      POWERTOOLS_SERVICE_NAME: RELAY_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: RELAY_METRICS_NAMESPACE,
      POWERTOOLS_TRACE_ENABLED: String(tracing),
      // The bundles ship source maps: stack traces in the logs then name the TypeScript lines.
      NODE_OPTIONS: '--enable-source-maps',
    };
    const shared = { configDir, logRetention, encryptionKey: key, tracing };
    this.ingressFunction = this.#function('Ingress', {
      ...shared,
      entry: 'ingress',
      timeout: Duration.seconds(29),
      environment: { ...common, ...logSettings, QUEUE_URL: this.queue.queueUrl, BODY_BUCKET: this.bodyBucket.bucketName },
      placement: placement(this.network?.ingressSecurityGroups),
    });
    this.relayFunction = this.#function('Relay', {
      ...shared,
      entry: 'relay',
      timeout: relayTimeout,
      environment: {
        ...common,
        ...logSettings,
        QUEUE_URL: this.queue.queueUrl,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        BODY_BUCKET: this.bodyBucket.bucketName,
        IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
        MAX_RECEIVE_COUNT: String(maxReceiveCount),
        CODESTREAM_TIMEOUT_MS: String((props.codestreamTimeout ?? Duration.seconds(10)).toMilliseconds()),
        FUNCTION_TIMEOUT_MS: String(relayTimeout.toMilliseconds()),
        IDEMPOTENCY_LEASE_MS: String(relayTimeout.toMilliseconds() + 60_000),
        REPORT_MAX_AGE_HOURS: String((props.reportMaxAge ?? Duration.hours(24)).toHours({ integral: false })),
      },
      placement: placement(this.network?.relaySecurityGroups),
    });

    if (this.network?.endpointSecurityGroup) {
      // Subnets without a NAT reach AWS through the endpoints only: a function there must not start before them.
      this.relayFunction.node.addDependency(this.network);
      if (this.network.ingressSecurityGroups) this.ingressFunction.node.addDependency(this.network);
    }

    // Each function gets only what it uses; with a customer key, only through the service that uses it.
    this.#grantSend(this.queue, this.ingressFunction, key);
    this.#grantSend(this.deadLetterQueue, this.relayFunction, key);
    // A delivery waiting out a rule's quiet period goes back to the queue, delayed.
    this.#grantSend(this.queue, this.relayFunction, key);
    // Ingress puts the bodies too large to queue, the relay gets them; the lifecycle rule deletes them.
    // The relay puts one too, for a delivery whose deferral would not fit beside its body.
    this.#grantBodies(bodies, this.ingressFunction, 's3:PutObject', key, 'kms:GenerateDataKey');
    this.#grantBodies(bodies, this.relayFunction, 's3:GetObject', key, 'kms:Decrypt');
    this.#grantBodies(bodies, this.relayFunction, 's3:PutObject', key, 'kms:GenerateDataKey');
    this.idempotencyTable.grant(this.relayFunction, 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:PutItem');
    if (key) this.#grantKeyVia('dynamodb', key, this.relayFunction, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey');
    if (deliveryLog) {
      deliveryLog.grantIngressWrites(this.ingressFunction);
      deliveryLog.grantRelayWrites(this.relayFunction);
      if (key) this.#grantKeyVia('dynamodb', key, this.ingressFunction, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey');
    }
    const secret = (name: string) => Secret.fromSecretNameV2(this, `Secret-${name.replace(/[^A-Za-z0-9]/g, '-')}`, name);
    const webhookSecrets = new Set(Object.values(props.config.sources).flatMap((source) => source.secrets));
    for (const name of webhookSecrets) secret(name).grantRead(this.ingressFunction);
    secret(props.config.codestream.secret).grantRead(this.relayFunction);
    // The credentials of the Git servers that rules with `report` post commit statuses to.
    for (const name of new Set(Object.values(props.config.sources).flatMap((source) => (source.report ? [source.report.secret] : [])))) secret(name).grantRead(this.relayFunction);
    if (secretsKey) {
      if (webhookSecrets.size > 0) this.#grantKeyVia('secretsmanager', secretsKey, this.ingressFunction, 'kms:Decrypt');
      this.#grantKeyVia('secretsmanager', secretsKey, this.relayFunction, 'kms:Decrypt');
    }
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
      throttling,
      sourceThrottling,
      logRetention,
      webAclArn: props.webAclArn,
      webAcl: props.webAcl || undefined,
      encryptionKey: key,
      domain: props.domainName && props.certificate ? { domainName: props.domainName, certificate: props.certificate, hostedZone: props.hostedZone } : undefined,
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? false,
    });
    this.api = api.api;
    this.aliasRecord = api.aliasRecord;
    this.webAcl = api.webAcl;
    this.webhookUrls = Object.fromEntries(Object.keys(props.config.sources).map((name) => [name, api.webhookUrl(name)]));

    if (props.ecrEventsToQueue) {
      this.ecrRule = new Rule(this, 'EcrImagePushes', {
        description: 'ECR image pushes, straight to the relay queue',
        eventPattern: { source: ['aws.ecr'], detailType: ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] } },
        targets: [new SqsQueue(this.queue)],
      });
    }

    const credentialAgeAlarm = props.credentialAgeAlarm ?? Duration.days(80);
    this.alarms = new RelayAlarms(this, 'Alarms', {
      api: this.api,
      ingress: this.ingressFunction,
      relay: this.relayFunction,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      deadLetterAlarm: this.deadLetterAlarm,
      codeStreamSecret: props.config.codestream.secret,
      oldestMessageAge: props.oldestMessageAlarmAge ?? Duration.minutes(15),
      credentialAge: credentialAgeAlarm,
      topic: props.alarmTopic,
    });

    this.dashboard = new RelayDashboard(this, 'Dashboard', {
      api: this.api,
      ingress: this.ingressFunction,
      relay: this.relayFunction,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      alarms: this.alarms.alarms,
      credentialAgeAlarm,
    }).dashboard;
  }

  #function(id: string, options: FunctionOptions): NodejsFunction {
    // A role of its own, instead of AWSLambdaBasicExecutionRole: it may write to its log group only.
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: options.logRetention,
      encryptionKey: options.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    const wildcards: string[] = [];
    if (options.placement) {
      // What AWSLambdaVPCAccessExecutionRole grants, inline: a custom role does not get it from `vpc`.
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      wildcards.push('Lambda manages the network interfaces of a function in a VPC with the EC2 actions of AWSLambdaVPCAccessExecutionRole, which take no resource narrower than *');
    }
    if (options.tracing) {
      wildcards.push('X-Ray accepts trace segments (xray:PutTraceSegments, xray:PutTelemetryRecords) only on resource *; CDK adds them for active tracing');
    }
    if (wildcards.length > 0) Validations.of(role).acknowledge({ id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: `${wildcards.join('. ')}.` });
    return new NodejsFunction(this, id, {
      role,
      entry: entryOf(options.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: options.timeout,
      environment: options.environment,
      logGroup,
      tracing: options.tracing ? Tracing.ACTIVE : undefined,
      ...options.placement,
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
          afterBundling: (_inputDir: string, outputDir: string) => [`cp "${path.join(options.configDir, 'relay.config.json')}" "${outputDir}/relay.config.json"`],
        },
      },
    });
  }

  /** Send to a queue; with a customer key, also what SQS needs of the key for it, and nothing more. */
  #grantSend(queue: Queue, grantee: IGrantable, key: IKey | undefined): void {
    queue.grant(grantee, 'sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl');
    if (key) this.#grantKeyVia('sqs', key, grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /** One action on the bodies; with a customer key, the one S3 needs of the key for it, through S3 only. */
  #grantBodies(bodies: BodyBucket, fn: NodejsFunction, action: 's3:PutObject' | 's3:GetObject', key: IKey | undefined, keyAction: string): void {
    bodies.grantOnBodies(fn.role as IRole, action);
    if (key) this.#grantKeyVia('s3', key, fn, keyAction);
  }

  /** Use of a key, only through one AWS service (kms:ViaService). */
  #grantKeyVia(service: string, key: IKey, grantee: IGrantable, ...actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /** CloudWatch Logs encrypts the log groups with the key: a key of this app lets it (an imported one's policy must). */
  #letCloudWatchLogsUse(key: IKey): void {
    const stack = Stack.of(this);
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
  }
}

/** The props that only make sense together, checked before anything is built. */
function checkProps(props: WebhookRelayProps): void {
  // The functions cannot read a file of the deploying machine: loadConfig puts the certificates themselves in the config.
  const lists = [
    ['codestream.caCertificates', props.config.codestream.caCertificates],
    ...Object.entries(props.config.sources).map(([name, source]) => [`sources.${name}.report.caCertificates`, source.report?.caCertificates] as const),
  ] as const;
  for (const [where, certificates] of lists) {
    const unread = [certificates ?? []].flat().filter((entry) => !entry.includes('-----BEGIN CERTIFICATE-----'));
    if (unread.length > 0) {
      throw new Error(`config.${where} names files (${unread.join(', ')}): pass the config through loadConfig, which reads them, so that the certificates are bundled`);
    }
  }
  if (!props.vpc) {
    const needVpc = (['vpcSubnets', 'securityGroups', 'codeStreamCidrs', 'gitServerCidrs', 'ingressInVpc', 'vpcEndpoints', 'dynamoDbPrefixListId', 's3PrefixListId'] as const).filter(
      (name) => props[name] !== undefined && props[name] !== false,
    );
    if (needVpc.length > 0) throw new Error(`${needVpc.join(', ')}: only with a vpc; the functions run outside any VPC without one`);
  } else if (props.securityGroups?.length) {
    if (props.codeStreamCidrs) {
      throw new Error('codeStreamCidrs: only without securityGroups; it shapes the security group the relay creates, so allow Code Stream in yours');
    }
    if (props.gitServerCidrs) {
      throw new Error('gitServerCidrs: only without securityGroups; it shapes the security group the relay creates, so allow the Git servers in yours');
    }
  } else if (!props.codeStreamCidrs?.length) {
    throw new Error(
      'codeStreamCidrs is required with a vpc and no securityGroups: the CIDRs where Code Stream (or its proxy) is, the only ones the relay may reach besides AWS',
    );
  }
  const prefixLists = (['dynamoDbPrefixListId', 's3PrefixListId'] as const).filter((name) => props[name]);
  if (prefixLists.length > 0 && !props.vpcEndpoints) throw new Error(`${prefixLists.join(', ')}: only with vpcEndpoints`);
  if (props.domainName && !props.certificate) throw new Error(`certificate is required with domainName (${props.domainName})`);
  if (!props.domainName && (props.certificate || props.hostedZone)) throw new Error('certificate and hostedZone: only with domainName');
  if (props.webAcl && props.webAclArn) throw new Error('webAcl and webAclArn: give one; a stage has one web ACL, so add a rate-based rule to yours');
}

/** The config as JSON in a folder of its own, for the bundler to copy. */
function writeConfigJson(config: RelayConfig): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-config-'));
  writeFileSync(path.join(dir, 'relay.config.json'), JSON.stringify(config));
  return dir;
}
