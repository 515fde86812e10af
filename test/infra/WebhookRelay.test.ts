import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AlarmTopic } from '../../infra/AlarmTopic';
import { CodeStreamRelayStack } from '../../infra/CodeStreamRelayStack';
import { WebhookRelay } from '../../infra/WebhookRelay';
import { loadConfig } from '../../lambda/config/loadConfig';

const ROOT = path.join(__dirname, '../..');
const CONFIG = path.join(ROOT, 'relay.config.yaml');

let template: Template;

/** A relay stack under cdk-nag: its app, whose synth runs the checks, and its template. */
function checked(id: string, relay?: ConstructorParameters<typeof CodeStreamRelayStack>[2]['relay']): { app: App; template: Template } {
  const app = new App();
  const stack = new CodeStreamRelayStack(app, id, { configFile: CONFIG, relay });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, template: Template.fromStack(stack) };
}

const synth = (props: Partial<ConstructorParameters<typeof CodeStreamRelayStack>[2]> = {}): Template => checked('Relay', props.relay).template;

beforeAll(() => {
  template = synth();
}, 120_000);

const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-central-1a', 'eu-central-1b'],
  privateSubnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
  privateSubnetRouteTableIds: ['rtb-0123456789abcdef1', 'rtb-0123456789abcdef2'],
};

/** The statements of the policy attached to a function's role, by the role's logical id prefix. */
function statementsOf(rolePrefix: string, from = template): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const policies = from.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(rolePrefix))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** Each method setting of the stage as [rate, burst], by resource path: `/hooks/github`, `/*` for the stage's own. */
function throttlingOf(from: Template): Record<string, [number, number]> {
  const stage = Object.values(from.findResources('AWS::ApiGateway::Stage'))[0];
  const settings = stage?.Properties.MethodSettings as { ResourcePath: string; ThrottlingRateLimit: number; ThrottlingBurstLimit: number }[];
  return Object.fromEntries(settings.map((setting) => [setting.ResourcePath.replace(/~1/g, '/').replace(/^\/\//, '/'), [setting.ThrottlingRateLimit, setting.ThrottlingBurstLimit]]));
}

const actionsOf = (rolePrefix: string, from = template) =>
  [...new Set(statementsOf(rolePrefix, from).flatMap((statement) => [statement.Action].flat()))].sort();

/** The properties of the function whose logical id matches. */
function functionProperties(pattern: RegExp, from = template) {
  const functions = Object.entries(from.findResources('AWS::Lambda::Function')).filter(([id]) => pattern.test(id));
  expect(functions).toHaveLength(1);
  return functions[0]?.[1].Properties;
}
const INGRESS = /^RelayIngress[0-9A-F]{8}$/;
const RELAY = /^Relay[0-9A-F]{8}$/;

/** The logical id of the body bucket. */
function bodyBucketId(from = template): string {
  const ids = Object.keys(from.findResources('AWS::S3::Bucket'));
  expect(ids).toEqual([expect.stringMatching(/^RelayBodiesBucket/)]);
  return ids[0] as string;
}
const bodyBucketProperties = (from = template) => from.findResources('AWS::S3::Bucket')[bodyBucketId(from)]?.Properties;
/** A role's statements that allow anything of S3. */
const s3StatementsOf = (rolePrefix: string, from = template) =>
  statementsOf(rolePrefix, from).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));

describe('queues', () => {
  it('the delivery queue: encrypted, 1 MiB messages, visibility six times the relay timeout, redrive to the DLQ', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MaximumMessageSize: 1_048_576,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] }, maxReceiveCount: 10 },
    });
  });

  it('the DLQ keeps messages 14 days, encrypted', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600, RedrivePolicy: Match.absent() });
  });

  it('both refuse anything but TLS', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('alarms as soon as one message is dead-lettered', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'QueueName'] } }],
    });
  });
});

describe('the relay function', () => {
  it('is fed by the queue with partial batch responses, a batch window and a concurrency cap', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('runs on a current Node.js runtime with the settings the code reads', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          RELAY_CONFIG: 'relay.config.json',
          MAX_RECEIVE_COUNT: '8',
          IDEMPOTENCY_TABLE: { Ref: Match.stringLikeRegexp('IdempotencyTable') },
          DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('DeadLetterQueue') },
        }),
      },
    });
  });

  it('may do only what it does: consume the queue, send to it (deferred) and the DLQ, use the table, read the Code Stream secret, read and put bodies, write its logs', () => {
    expect(actionsOf('RelayRelayRole')).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:PutObject',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ].sort(),
    );
    const secrets = statementsOf('RelayRelayRole').filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secrets)).toContain(':secret:codestream/relay-??????');
    expect(JSON.stringify(secrets)).not.toContain('webhooks/');
    const sends = statementsOf('RelayRelayRole').filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'));
    expect(JSON.stringify(sends.map((statement) => statement.Resource).sort())).toMatch(/^\[\{"Fn::GetAtt":\["RelayQueuesDeadLetterQueue\w+","Arn"\]\},\{"Fn::GetAtt":\["RelayQueuesQueue\w+","Arn"\]\}\]$/);
  });
});

describe('the ingress function', () => {
  it('may only queue deliveries, put bodies, read the webhook secrets, write the delivery log and write its logs', () => {
    expect(actionsOf('RelayIngressRole')).toEqual(
      [
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:PutObject',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    const writes = statementsOf('RelayIngressRole').filter((statement) => [statement.Action].flat().includes('dynamodb:PutItem'));
    expect(JSON.stringify(writes.map((statement) => statement.Resource))).toMatch(/^\[\{"Fn::GetAtt":\["RelayDeliveryLogTable\w+","Arn"\]\}\]$/);
    const text = JSON.stringify(statementsOf('RelayIngressRole'));
    expect(text).toContain(':secret:webhooks/github-??????');
    expect(text).toContain(':secret:webhooks/github-previous-??????');
    expect(text).not.toContain('codestream/relay');
    expect(text).not.toContain('DeadLetterQueue');
    const sends = statementsOf('RelayIngressRole').filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'));
    expect(JSON.stringify(sends.map((statement) => statement.Resource))).toMatch(/^\[\{"Fn::GetAtt":\["RelayQueuesQueue\w+","Arn"\]\}\]$/);
  });
});

describe('the body bucket, for deliveries too large to queue', () => {
  it('expires the bodies after both queues’ retentions', () => {
    const [rule] = bodyBucketProperties().LifecycleConfiguration.Rules;
    expect(rule).toMatchObject({ Prefix: 'bodies/', Status: 'Enabled' });
    const retentions = Object.values(template.findResources('AWS::SQS::Queue')).map((queue) => queue.Properties.MessageRetentionPeriod as number);
    expect(retentions).toHaveLength(2);
    for (const retention of retentions) expect(rule.ExpirationInDays * 86_400).toBeGreaterThan(retention);
  });

  it('is encrypted with S3-managed keys, private, TLS only', () => {
    const bucket = bodyBucketProperties();
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bodyBucketId() },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('both functions are told its name', () => {
    for (const pattern of [INGRESS, RELAY]) expect(functionProperties(pattern)?.Environment.Variables.BODY_BUCKET).toEqual({ Ref: bodyBucketId() });
  });

  it('ingress may put objects under bodies/ and the relay get and put them (a deferral too large to queue beside its body), nothing on the bucket itself', () => {
    const bodies = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bodyBucketId(), 'Arn'] }, '/bodies/*']] };
    expect(s3StatementsOf('RelayIngressRole')).toEqual([{ Effect: 'Allow', Action: 's3:PutObject', Resource: bodies }]);
    expect(s3StatementsOf('RelayRelayRole')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: bodies },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: bodies },
    ]);
  });

  it('no function has a wildcard action', () => {
    for (const role of ['RelayIngressRole', 'RelayRelayRole']) expect(actionsOf(role).filter((action) => action.includes('*'))).toEqual([]);
  });

  it('the bucket’s own policy allows nobody anything', () => {
    const policy = template.findResources('AWS::S3::BucketPolicy');
    const statements = Object.values(policy).flatMap((resource) => resource.Properties.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(statement.Effect).toBe('Deny');
  });
});

describe('the API', () => {
  it('throttles and access-logs its stage, without query strings', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DataTraceEnabled: false, LoggingLevel: 'ERROR' }),
      ]),
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"source":"\\$context.path"') },
    });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(JSON.stringify(stage?.Properties.AccessLogSetting.Format)).not.toMatch(/querystring|\$input/i);
  });

  it('accepts POST /hooks/{source} with its parameter validated, bodies as bytes', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestParameters: { 'method.request.path.source': true },
      RequestValidatorId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true, ValidateRequestBody: true });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
  });

  it('throttles each configured source on its own, each at the stage’s whole limit, and unknown names at 1/s', () => {
    const { config } = loadConfig(CONFIG);
    const sources = Object.keys(config.sources);
    expect(sources).toHaveLength(14);
    const settings = throttlingOf(template);
    for (const source of sources) expect(settings[`/hooks/${source}`]).toEqual([50, 100]);
    expect(settings['/hooks/{source}']).toEqual([1, 5]);
    expect(Object.keys(settings)).toHaveLength(sources.length + 2);
  });

  it('outputs every source’s webhook URL, the queue names and the body bucket’s', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['WebhookUrlgithub', 'WebhookUrlawsecr', 'QueueName', 'DeadLetterQueueName', 'BodyBucketName']));
    expect(JSON.stringify(outputs.WebhookUrlgithub?.Value)).toContain('hooks/github');
    expect(outputs.BodyBucketName?.Value).toEqual({ Ref: bodyBucketId() });
  });
});

describe('the delivery log', () => {
  const logTable = () => {
    const [entry] = Object.entries(template.findResources('AWS::DynamoDB::Table')).filter(([id]) => /DeliveryLogTable/.test(id));
    if (!entry) throw new Error('no delivery log table');
    return { id: entry[0], properties: entry[1].Properties };
  };

  it('is on demand, encrypted, with TTL, point-in-time recovery and two summary indexes', () => {
    const { properties } = logTable();
    expect(properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    const indexes = properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown[]; Projection: { ProjectionType: string; NonKeyAttributes: string[] } }[];
    expect(indexes.map((index) => [index.IndexName, index.KeySchema])).toEqual([
      ['byDay', [{ AttributeName: 'day', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }]],
      ['bySource', [{ AttributeName: 'source', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }]],
    ]);
    // Summaries only: a list never reads bodies, headers or events.
    for (const index of indexes) {
      expect(index.Projection.ProjectionType).toBe('INCLUDE');
      expect(index.Projection.NonKeyAttributes).not.toEqual(expect.arrayContaining(['body']));
      expect(index.Projection.NonKeyAttributes).not.toEqual(expect.arrayContaining(['headers']));
    }
  });

  it('both functions are told its table and retention; the relay may only update it', () => {
    const { id } = logTable();
    for (const role of ['Ingress', 'Relay']) {
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function')).filter((candidate) => JSON.stringify(candidate.Properties.Role).includes(`Relay${role}Role`));
      expect(fn?.Properties.Environment.Variables).toMatchObject({ DELIVERIES_TABLE: { Ref: id }, DELIVERY_LOG_RETENTION_DAYS: '30' });
    }
    const onLog = statementsOf('RelayRelayRole').filter((statement) => JSON.stringify(statement.Resource).includes(id));
    expect(onLog.flatMap((statement) => [statement.Action].flat())).toEqual(['dynamodb:UpdateItem']);
  });

  it('the stack outputs its name', () => {
    expect(JSON.stringify(template.findOutputs('DeliveriesTableName'))).toContain(logTable().id);
  });

  it('with a retention of 0 days there is no log: no table, no setting', () => {
    const bare = synth({ relay: { deliveryLogRetention: Duration.days(0) } });
    expect(Object.keys(bare.findResources('AWS::DynamoDB::Table')).filter((id) => /DeliveryLog/.test(id))).toEqual([]);
    expect(JSON.stringify(bare.findResources('AWS::Lambda::Function'))).not.toContain('DELIVERIES_TABLE');
  });
});

describe('the idempotency table and the logs', () => {
  it('the table is on demand, with TTL and point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('every log group has a retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(3);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('a dashboard shows the relay’s metrics', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const metric of ['received', 'executionsCreated', 'deadLettered.forbidden', 'deadLettered.tls', 'deadLettered.unauthorized', 'codeStreamLatency', 'codeStreamCredentialAge', 'statusPosted', 'statusNotPosted', 'deliveryLogFailed']) {
      expect(body).toContain(metric);
    }
  });

  it('the dashboard shows ingress’s refusals by source and code, whatever sources and codes occur', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    // The body is a join of text and references, which all stand inside strings of its JSON.
    const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'reference')).join('')) as { widgets: { properties: { title?: string; metrics?: unknown } }[] };
    const metricsOf = (title: string) => body.widgets.find((widget) => widget.properties.title === title)?.properties.metrics;

    expect(metricsOf('Refused by ingress, by source and code')).toEqual([
      [
        {
          label: "${PROP('Dim.source')} ${PROP('Dim.error')}",
          expression: `SEARCH('{CodeStreamRelay,service,source,error} MetricName="refused" service="codestream-relay"', 'Sum', 300)`,
        },
      ],
    ]);
  });

  it('the dashboard shows the state of every alarm', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    for (const alarm of Object.keys(template.findResources('AWS::CloudWatch::Alarm'))) expect(body).toContain(`"${alarm}"`);
  });
});

describe('by default', () => {
  it('no function runs in a VPC, and no security group is made', () => {
    expect(functionProperties(INGRESS)?.VpcConfig).toBeUndefined();
    expect(functionProperties(RELAY)?.VpcConfig).toBeUndefined();
    expect(template.findResources('AWS::EC2::SecurityGroup')).toEqual({});
  });

  it('the table and the log groups use AWS-managed encryption, and no key is made', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true } });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(group.Properties.KmsKeyId).toBeUndefined();
    expect(template.findResources('AWS::KMS::Key')).toEqual({});
  });

  it('the account-wide API Gateway CloudWatch role is left alone', () => {
    expect(template.findResources('AWS::ApiGateway::Account')).toEqual({});
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });

  it('no active tracing, and Powertools is told so', () => {
    for (const pattern of [INGRESS, RELAY]) {
      expect(functionProperties(pattern)?.TracingConfig).toBeUndefined();
      expect(functionProperties(pattern)?.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('false');
    }
  });

  it('alarms notify nobody', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });
});

describe('alarms', () => {
  it('each says what to do, and a quiet relay is not in alarm', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      expect(JSON.stringify(alarm.Properties.AlarmDescription).length).toBeGreaterThan(80);
    }
  });

  it('on the first Code Stream outcome unauthorized or tls in five minutes', () => {
    for (const outcome of ['unauthorized', 'tls']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'CodeStreamRelay',
        MetricName: `deadLettered.${outcome}`,
        Dimensions: [{ Name: 'service', Value: 'codestream-relay' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('an unauthorized credential’s alarm names the secret to renew', () => {
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'deadLettered.unauthorized' } }))[0];
    expect(JSON.stringify(alarm?.Properties.AlarmDescription)).toContain('secret codestream/relay');
  });

  it('when the Code Stream credential is 80 days old, by the hour', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CodeStreamRelay',
      MetricName: 'codeStreamCredentialAge',
      Dimensions: [{ Name: 'service', Value: 'codestream-relay' }],
      Statistic: 'Maximum',
      Unit: 'Seconds',
      Period: 3600,
      Threshold: Duration.days(80).toSeconds(),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('when a delivery has waited 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('QueuesQueue'), 'QueueName'] } }],
      Threshold: 900,
    });
  });

  it('on errors and throttles of the relay, errors of ingress, and API 5xx', () => {
    const watched = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => `${alarm.Properties.Namespace} ${alarm.Properties.MetricName} ${JSON.stringify(alarm.Properties.Dimensions?.[0]?.Value)}`,
    );
    expect(watched).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AWS\/Lambda Errors \{"Ref":"Relay[0-9A-F]{8}"\}$/),
        expect.stringMatching(/^AWS\/Lambda Throttles \{"Ref":"Relay[0-9A-F]{8}"\}$/),
        expect.stringMatching(/^AWS\/Lambda Errors \{"Ref":"RelayIngress[0-9A-F]{8}"\}$/),
        expect.stringMatching(/^AWS\/ApiGateway 5XXError /),
      ]),
    );
  });
});

it('optionally routes ECR image pushes straight to the queue', () => {
  const withEcr = synth({ relay: { ecrEventsToQueue: true } });
  withEcr.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] } },
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('QueuesQueue'), 'Arn'] } })],
  });
  expect(template.findResources('AWS::Events::Rule')).toEqual({});
}, 120_000);

it('an invalid config fails synth with relay validate’s messages', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'relay.config.yaml');
  writeFileSync(file, readFileSync(CONFIG, 'utf8').replace('branches: [main, master, develop, "release/*"]', 'branchs: [main]'));
  expect(() => new CodeStreamRelayStack(new App(), 'Broken', { configFile: file })).toThrow(
    new RegExp(`^the relay config is invalid:\\n${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:7: rule "build-main-lines": rules\\[0\\]\\.when\\.branchs: unknown key "branchs"$`),
  );
});

it('a template field the canonical event does not have fails synth, with the field it meant', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'relay.config.yaml');
  writeFileSync(file, readFileSync(CONFIG, 'utf8').replace('GIT_REF: ${event.git.ref}', 'GIT_REF: ${event.git.reff}'));
  expect(() => new CodeStreamRelayStack(new App(), 'Misspelt', { configFile: file })).toThrow(
    /^the relay config is invalid:\n.*:\d+:28: rule "build-main-lines": rules\[0\]\.input\.GIT_REF: \$\{event\.git\.reff\}: event\.git has no field "reff"; did you mean event\.git\.ref\?$/,
  );
});

describe('with source throttling given, and a web ACL', () => {
  let app: App;
  let guarded: Template;

  beforeAll(() => {
    ({ app, template: guarded } = checked('Guarded', {
      throttlingRateLimit: 200,
      throttlingBurstLimit: 400,
      sourceThrottling: { rateLimit: 10, burstLimit: 20 },
      sourceThrottlingOverrides: { github: { rateLimit: 40, burstLimit: 80 }, harbor: { burstLimit: 30 } },
      unknownSourceThrottling: { rateLimit: 2, burstLimit: 4 },
      webAcl: { requestsPer5Minutes: 1000 },
    }));
  }, 120_000);

  it('passes cdk-nag, with the web ACL in place of the acknowledged finding', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('each source has the limit given, its override first; unknown names theirs; the stage the total', () => {
    const settings = throttlingOf(guarded);
    expect(settings['/hooks/github']).toEqual([40, 80]);
    expect(settings['/hooks/harbor']).toEqual([10, 30]);
    expect(settings['/hooks/gitlab']).toEqual([10, 20]);
    expect(settings['/hooks/{source}']).toEqual([2, 4]);
    expect(settings['/*']).toEqual([200, 400]);
  });

  it('the web ACL blocks an IP address over 1000 requests in 5 minutes, on the stage', () => {
    guarded.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [Match.objectLike({ Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', EvaluationWindowSec: 300, Limit: 1000 } } })],
    });
    guarded.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RateLimitWebAcl'), 'Arn'] } });
  });
});

it('by default, no web ACL', () => {
  expect(template.findResources('AWS::WAFv2::WebACL')).toEqual({});
  expect(template.findResources('AWS::WAFv2::WebACLAssociation')).toEqual({});
});

it('cdk-nag fails synth on a finding nobody acknowledged', () => {
  const app = new App();
  const stack = new Stack(app, 'Careless');
  new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(() => app.synth()).toThrow(/Validation failed|AwsSolutions-IAM4/);
});

it('the relay stack passes cdk-nag', () => {
  const app = new App();
  new CodeStreamRelayStack(app, 'Checked', { configFile: CONFIG });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(() => app.synth()).not.toThrow();
}, 120_000);

describe('next to an on-premises Code Stream: in a VPC behind a NAT, traced, on a custom domain, alarms to a topic', () => {
  let app: App;
  let company: Template;

  beforeAll(() => {
    ({ app, template: company } = checked('Company', (scope) => ({
      vpc: Vpc.fromVpcAttributes(scope, 'Vpc', VPC),
      codeStreamCidrs: ['10.20.0.0/16'],
      ingressInVpc: true,
      tracing: true,
      alarmTopic: new AlarmTopic(scope, 'AlarmTopic').topic,
      domainName: 'hooks.example.com',
      certificate: Certificate.fromCertificateArn(scope, 'Certificate', 'arn:aws:acm:eu-central-1:111122223333:certificate/1234abcd-12ab-34cd-56ef-1234567890ab'),
      hostedZone: HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
      apiGatewayCloudWatchRole: true,
    })));
  }, 120_000);

  it('passes cdk-nag', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('the relay runs in the private subnets with the security group made for it', () => {
    expect(functionProperties(RELAY, company)?.VpcConfig).toEqual({
      SubnetIds: VPC.privateSubnetIds,
      SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^RelayNetworkRelaySecurityGroup/), 'GroupId'] }],
    });
  });

  it('ingressInVpc puts ingress there too, with a security group of its own', () => {
    expect(functionProperties(INGRESS, company)?.VpcConfig).toEqual({
      SubnetIds: VPC.privateSubnetIds,
      SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^RelayNetworkIngressSecurityGroup/), 'GroupId'] }],
    });
  });

  it('a function in a VPC may manage its network interfaces, by an inline policy rather than a managed one', () => {
    for (const role of ['RelayRelayRole', 'RelayIngressRole']) {
      expect(actionsOf(role, company)).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces']));
    }
    for (const role of Object.values(company.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns ?? []).not.toContainEqual(expect.stringContaining('VPCAccess'));
  });

  it('tracing: both functions are traced actively, and Powertools is told so', () => {
    for (const pattern of [INGRESS, RELAY]) {
      expect(functionProperties(pattern, company)?.TracingConfig).toEqual({ Mode: 'Active' });
      expect(functionProperties(pattern, company)?.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('true');
    }
  });

  it('tracing: both roles may write to X-Ray', () => {
    for (const role of ['RelayRelayRole', 'RelayIngressRole']) expect(actionsOf(role, company)).toEqual(expect.arrayContaining(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']));
  });

  it('every alarm notifies the topic, in alarm and when back to OK', () => {
    const topic = { Ref: expect.stringMatching(/^AlarmTopic/) };
    const alarms = Object.values(company.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
    }
  });

  it('the webhook URLs are on the custom domain', () => {
    const outputs = company.findOutputs('*');
    expect(outputs.WebhookUrlgithub?.Value).toBe('https://hooks.example.com/hooks/github');
    expect(outputs.WebhookUrlawsecr?.Value).toBe('https://hooks.example.com/hooks/aws-ecr');
  });

  it('the custom domain is regional, TLS 1.2, mapped to the API, with an alias record', () => {
    company.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'hooks.example.com',
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      RegionalCertificateArn: 'arn:aws:acm:eu-central-1:111122223333:certificate/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    company.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { RestApiId: { Ref: Match.stringLikeRegexp('WebhooksApi') } });
    company.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'hooks.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  });

  it('apiGatewayCloudWatchRole sets the account’s API Gateway CloudWatch role', () => {
    company.hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: Match.anyValue() });
  });
});

describe('props that do not fit together', () => {
  const relayStack = (relay: ConstructorParameters<typeof CodeStreamRelayStack>[2]['relay']) => new CodeStreamRelayStack(new App(), 'Misfit', { configFile: CONFIG, relay });

  it('a vpc without codeStreamCidrs or securityGroups is an error naming codeStreamCidrs', () => {
    expect(() => relayStack((scope) => ({ vpc: Vpc.fromVpcAttributes(scope, 'Vpc', VPC) }))).toThrow(/^codeStreamCidrs is required with a vpc and no securityGroups/);
  });

  it('network props without a vpc are an error naming them', () => {
    expect(() => relayStack({ codeStreamCidrs: ['10.20.0.0/16'], vpcEndpoints: true })).toThrow(/^codeStreamCidrs, vpcEndpoints: only with a vpc/);
  });

  it('a prefix list without vpcEndpoints is an error naming it', () => {
    expect(() => relayStack((scope) => ({ vpc: Vpc.fromVpcAttributes(scope, 'Vpc', VPC), codeStreamCidrs: ['10.20.0.0/16'], s3PrefixListId: 'pl-6ea54007' }))).toThrow(
      's3PrefixListId: only with vpcEndpoints',
    );
  });

  it('a config whose CA certificates are still file names (not read by loadConfig) is an error naming them', () => {
    const { config } = loadConfig(CONFIG);
    const unread = { ...config, codestream: { ...config.codestream, caCertificates: ['company-ca.pem'] } };
    expect(() => new WebhookRelay(new Stack(new App(), 'Unread'), 'Relay', { config: unread })).toThrow(
      'config.codestream.caCertificates names files (company-ca.pem): pass the config through loadConfig, which reads them, so that the certificates are bundled',
    );
  });

  it('a domain without its certificate is an error', () => {
    expect(() => relayStack({ domainName: 'hooks.example.com' })).toThrow('certificate is required with domainName (hooks.example.com)');
  });

  it('a web ACL to make and one to use are an error', () => {
    expect(() => relayStack({ webAcl: { requestsPer5Minutes: 2000 }, webAclArn: 'arn:aws:wafv2:eu-central-1:111122223333:regional/webacl/company/0a1b' })).toThrow(
      'webAcl and webAclArn: give one; a stage has one web ACL, so add a rate-based rule to yours',
    );
  });

  it('a throttling override of a name the config has no source of is an error naming it', () => {
    expect(() => relayStack({ sourceThrottlingOverrides: { githb: { rateLimit: 5 } } })).toThrow(/^sourceThrottlingOverrides names no configured source: githb \(the sources are github, gitlab, /);
  });

  it('a rate that is not a positive number is an error', () => {
    expect(() => relayStack({ throttlingRateLimit: -1 })).toThrow('throttlingRateLimit and throttlingBurstLimit: the rate limit must be a positive number of requests per second; got -1');
  });
});

describe('commit statuses (rules with report)', () => {
  const reporting = () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-report-')), 'relay.config.yaml');
    writeFileSync(
      file,
      readFileSync(CONFIG, 'utf8')
        .replace('    secrets: [webhooks/github, webhooks/github-previous]', '    secrets: [webhooks/github, webhooks/github-previous]\n    report: { secret: status/github }')
        .replace('    pipeline: { project: demo, name: build }\n    input:\n      GIT_REF', '    pipeline: { project: demo, name: build }\n    report: true\n    input:\n      GIT_REF'),
    );
    const app = new App();
    const stack = new CodeStreamRelayStack(app, 'Reporting', { configFile: file, relay: { reportMaxAge: Duration.hours(6) } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return Template.fromStack(stack);
  };

  it('the relay may read the status secret, ingress may not; it is told how long to follow', () => {
    const reported = reporting();
    const statements = (role: string) =>
      Object.entries(reported.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.includes(role))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const reads = (role: string) => JSON.stringify(statements(role).filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue')));
    expect(reads('RelayRelayRole')).toContain(':secret:status/github-??????');
    expect(reads('RelayIngressRole')).not.toContain('status/github');
    const [relayFunction] = Object.values(reported.findResources('AWS::Lambda::Function')).filter((fn) => JSON.stringify(fn.Properties.Role).includes('RelayRelayRole'));
    expect(relayFunction?.Properties.Environment.Variables).toMatchObject({ REPORT_MAX_AGE_HOURS: '6' });
  });

  it('gitServerCidrs open HTTPS from the relay’s own security group, and need a vpc', () => {
    const inVpc = synth({
      relay: (stack) => ({ vpc: Vpc.fromVpcAttributes(stack, 'Vpc', VPC), codeStreamCidrs: ['10.20.0.0/16'], gitServerCidrs: ['10.30.0.0/16'] }),
    });
    const egress = Object.values(inVpc.findResources('AWS::EC2::SecurityGroup')).flatMap((group) => (group.Properties.SecurityGroupEgress ?? []) as Record<string, unknown>[]);
    expect(egress).toContainEqual(expect.objectContaining({ CidrIp: '10.30.0.0/16', FromPort: 443, ToPort: 443, Description: 'A Git server, for commit statuses' }));
    expect(() => new CodeStreamRelayStack(new App(), 'NoVpc', { configFile: CONFIG, relay: { gitServerCidrs: ['10.30.0.0/16'] } })).toThrow(/gitServerCidrs: only with a vpc/);
  });
});
