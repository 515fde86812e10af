import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CodeStreamRelayStack } from '../../infra/CodeStreamRelayStack';

const ROOT = path.join(__dirname, '../..');
const CONFIG = path.join(ROOT, 'relay.config.yaml');

let template: Template;

function synth(props: Partial<ConstructorParameters<typeof CodeStreamRelayStack>[2]> = {}): Template {
  const app = new App();
  const stack = new CodeStreamRelayStack(app, 'Relay', { configFile: CONFIG, ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return Template.fromStack(stack);
}

beforeAll(() => {
  template = synth();
}, 120_000);

/** The statements of the policy attached to a function's role, by the role's logical id prefix. */
function statementsOf(rolePrefix: string): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(rolePrefix))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const actionsOf = (rolePrefix: string) => [...new Set(statementsOf(rolePrefix).flatMap((statement) => [statement.Action].flat()))].sort();

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

  it('may do only what it does: consume the queue, send to the DLQ, use the table, read the Code Stream secret, write its logs', () => {
    expect(actionsOf('RelayRelayRole')).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
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
    expect(JSON.stringify(sends.map((statement) => statement.Resource))).toMatch(/^\[\{"Fn::GetAtt":\["RelayQueuesDeadLetterQueue\w+","Arn"\]\}\]$/);
  });
});

describe('the ingress function', () => {
  it('may only queue deliveries, read the webhook secrets and write its logs', () => {
    expect(actionsOf('RelayIngressRole')).toEqual(
      ['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort(),
    );
    const text = JSON.stringify(statementsOf('RelayIngressRole'));
    expect(text).toContain(':secret:webhooks/github-??????');
    expect(text).toContain(':secret:webhooks/github-previous-??????');
    expect(text).not.toContain('codestream/relay');
    expect(text).not.toContain('DeadLetterQueue');
    const sends = statementsOf('RelayIngressRole').filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'));
    expect(JSON.stringify(sends.map((statement) => statement.Resource))).toMatch(/^\[\{"Fn::GetAtt":\["RelayQueuesQueue\w+","Arn"\]\}\]$/);
  });
});

describe('the API', () => {
  it('throttles and access-logs its stage, without query strings', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DataTraceEnabled: false, LoggingLevel: 'ERROR' })],
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

  it('outputs every source’s webhook URL and the queue names', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['WebhookUrlgithub', 'WebhookUrlawsecr', 'QueueName', 'DeadLetterQueueName']));
    expect(JSON.stringify(outputs.WebhookUrlgithub?.Value)).toContain('hooks/github');
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
    for (const metric of ['received', 'executionsCreated', 'deadLettered.forbidden', 'codeStreamLatency']) expect(body).toContain(metric);
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
