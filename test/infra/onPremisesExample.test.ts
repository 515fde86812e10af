import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildOnPremisesApp } from '../../examples/on-premises/app';

let app: App;
let template: Template;

beforeAll(() => {
  const built = buildOnPremisesApp();
  app = built.app;
  // The app carries cdk-nag: a finding fails here already.
  template = Template.fromStack(built.stack);
}, 120_000);

/** The logical id of the one resource of a type whose id matches. */
function logicalId(type: string, pattern: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The statements of the policies attached to a role, by the role's logical id prefix. */
const statementsOf = (rolePrefix: string): unknown[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(rolePrefix))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
/** The properties of the function whose logical id matches. */
const functionProperties = (pattern: RegExp) => template.findResources('AWS::Lambda::Function')[logicalId('AWS::Lambda::Function', pattern)]?.Properties;
const relaySecurityGroup = () => logicalId('AWS::EC2::SecurityGroup', /RelaySecurityGroup/);
const endpointSecurityGroup = () => logicalId('AWS::EC2::SecurityGroup', /EndpointSecurityGroup/);
const key = () => logicalId('AWS::KMS::Key', /RelayKey/);
const keyArn = () => ({ 'Fn::GetAtt': [key(), 'Arn'] });

it('synthesizes with cdk-nag and no finding', () => {
  expect(() => app.synth()).not.toThrow();
});

describe('network', () => {
  it('the relay function runs in the private subnets with its own security group', () => {
    expect(functionProperties(/^Relay[0-9A-F]{8}$/)?.VpcConfig).toEqual({
      SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      SecurityGroupIds: [{ 'Fn::GetAtt': [relaySecurityGroup(), 'GroupId'] }],
    });
  });

  it('the ingress function stays outside the VPC', () => {
    expect(functionProperties(/^RelayIngress[0-9A-F]{8}$/)?.VpcConfig).toBeUndefined();
  });

  it('the relay may reach only the proxy port in the company range, the endpoints, DynamoDB and S3; nothing anywhere', () => {
    const group = template.findResources('AWS::EC2::SecurityGroup')[relaySecurityGroup()];
    expect(group?.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', FromPort: 3128, ToPort: 3128, Description: 'Code Stream or its proxy' },
    ]);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((rule) => rule.Properties)
      .filter((rule) => JSON.stringify(rule.GroupId).includes(relaySecurityGroup()));
    expect(egress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSecurityGroup(), 'GroupId'] } }),
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          DestinationPrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/DynamoDbPrefixList/), 'PrefixLists.0.PrefixListId'] },
        }),
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          DestinationPrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/S3PrefixList/), 'PrefixLists.0.PrefixListId'] },
        }),
      ]),
    );
    expect(egress).toHaveLength(3);
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'))).not.toContain('0.0.0.0/0');
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroupEgress'))).not.toContain('0.0.0.0/0');
  });

  it('the DynamoDB and S3 prefix lists are looked up at deploy time for the region', () => {
    for (const service of ['dynamodb', 's3']) {
      template.hasResourceProperties('Custom::AWS', {
        Create: Match.serializedJson(
          Match.objectLike({
            service: 'EC2',
            action: 'DescribeManagedPrefixLists',
            parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.eu-central-1.${service}`] }] },
          }),
        ),
      });
    }
  });

  it('interface endpoints for SQS, Secrets Manager, CloudWatch Logs and Monitoring and KMS, with private DNS, in the relay subnets', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    const services = endpoints.map((endpoint) => endpoint.Properties.ServiceName).sort();
    expect(services).toEqual(['kms', 'logs', 'monitoring', 'secretsmanager', 'sqs'].map((service) => `com.amazonaws.eu-central-1.${service}`));
    for (const endpoint of endpoints) {
      expect(endpoint.Properties).toMatchObject({
        PrivateDnsEnabled: true,
        SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        SecurityGroupIds: [{ 'Fn::GetAtt': [endpointSecurityGroup(), 'GroupId'] }],
        VpcId: 'vpc-0a1b2c3d4e5f60718',
      });
    }
  });

  it('the endpoints accept HTTPS from the relay only', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((rule) => rule.Properties);
    expect(ingress).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [endpointSecurityGroup(), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [relaySecurityGroup(), 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      }),
    ]);
  });

  it('DynamoDB and S3 gateway endpoints on the relay subnets’ route tables', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } })).map((endpoint) => endpoint.Properties);
    expect(endpoints).toEqual(
      ['dynamodb', 's3'].map((service) =>
        expect.objectContaining({
          ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
          RouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'],
        }),
      ),
    );
  });
});

describe('the customer-managed key', () => {
  it('is rotated, and CloudWatch Logs may use it for this account’s log groups', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-central-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('encrypts the queue and the DLQ', () => {
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const queue of queues) {
      expect(queue.Properties.KmsMasterKeyId).toEqual(keyArn());
      expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
  });

  it('encrypts the idempotency table', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() } });
  });

  it('encrypts the body bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() } }] },
    });
  });

  it('ingress may have S3 make data keys to put bodies, and the relay have it decrypt them and make keys (a deferral too large to queue beside its body): nothing more, through S3 only', () => {
    const throughS3 = (role: string) =>
      statementsOf(role).filter((statement) => JSON.stringify(statement).includes('"kms:ViaService":"s3.eu-central-1.amazonaws.com"'));
    const statement = (action: string) => ({ Effect: 'Allow', Action: action, Resource: keyArn(), Condition: { StringEquals: { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' } } });
    expect(throughS3('RelayIngressRole')).toEqual([statement('kms:GenerateDataKey')]);
    expect(throughS3('RelayRelayRole')).toEqual([statement('kms:Decrypt'), statement('kms:GenerateDataKey')]);
  });

  it('encrypts every log group', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual(keyArn());
  });

  it('ingress may encrypt deliveries for the queue, and the relay for the queue (deferred) and the DLQ, through SQS only', () => {
    for (const role of ['RelayIngressRole', 'RelayRelayRole']) {
      expect(statementsOf(role)).toContainEqual({
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: keyArn(),
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-central-1.amazonaws.com' } },
      });
    }
  });

  it('the relay may decrypt what it receives from the queue', () => {
    expect(statementsOf('RelayRelayRole')).toContainEqual({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn() });
  });

  it('each function may decrypt its secrets with it, through Secrets Manager only', () => {
    for (const role of ['RelayIngressRole', 'RelayRelayRole']) {
      expect(statementsOf(role)).toContainEqual({
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keyArn(),
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } },
      });
    }
  });
});

describe('alarms', () => {
  it('every alarm notifies the topic, in alarm and when back to OK', () => {
    const topic = { Ref: logicalId('AWS::SNS::Topic', /AlarmTopic/) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
    }
  });

  it('the topic is encrypted with the key, TLS only, and e-mails the platform team', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-team@corp.example' });
  });

  it('the credential age alarm is at the example’s 75 days', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'codeStreamCredentialAge', Threshold: 75 * 86_400 });
  });
});
