import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { readAppSettings, relayOptions } from '../../infra/appSettings';

const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-central-1a', 'eu-central-1b'],
  privateSubnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
  privateSubnetRouteTableIds: ['rtb-0123456789abcdef1', 'rtb-0123456789abcdef2'],
};

/** The settings from a context, as cdk.json or `-c key=value` would give it. */
const settingsOf = (context: Record<string, unknown>) => readAppSettings((key) => context[key]);

it('without context, the defaults: the example config, stack CodeStreamRelay, everything optional off', () => {
  expect(settingsOf({})).toEqual({
    relayConfig: 'relay.config.yaml',
    stackName: 'CodeStreamRelay',
    ecrEventsToQueue: false,
    vpcEndpoints: false,
    ingressInVpc: false,
    tracing: false,
    apiGatewayCloudWatchRole: false,
  });
});

it('reads booleans, lists and objects given as strings on the command line as JSON', () => {
  const settings = settingsOf({
    vpc: JSON.stringify(VPC),
    codeStreamCidrs: '["10.20.0.0/16", "10.30.0.0/16"]',
    vpcEndpoints: 'true',
    tracing: 'false',
  });
  expect(settings).toMatchObject({ vpc: VPC, codeStreamCidrs: ['10.20.0.0/16', '10.30.0.0/16'], vpcEndpoints: true, tracing: false });
});

it('takes values typed in cdk.json as they are', () => {
  expect(settingsOf({ vpc: VPC, securityGroupIds: ['sg-0123456789abcdef0'], ingressInVpc: true })).toMatchObject({
    vpc: VPC,
    securityGroupIds: ['sg-0123456789abcdef0'],
    ingressInVpc: true,
  });
});

it('a boolean that is neither true nor false is an error naming the key', () => {
  expect(() => settingsOf({ tracing: 'yes' })).toThrow('context "tracing" must be true or false; got "yes"');
});

it('a list that is not JSON is an error naming the key and the JSON it was', () => {
  expect(() => settingsOf({ vpc: JSON.stringify(VPC), codeStreamCidrs: '10.20.0.0/16' })).toThrow(/^context "codeStreamCidrs" is not valid JSON \(.+\): 10\.20\.0\.0\/16$/);
});

it('a list of anything but strings is an error with an example', () => {
  expect(() => settingsOf({ vpc: VPC, codeStreamCidrs: '{"cidr": "10.20.0.0/16"}' })).toThrow(
    'context "codeStreamCidrs" must be a JSON list of strings, such as ["10.20.0.0/16"]; got {"cidr":"10.20.0.0/16"}',
  );
});

it('a vpc without its route tables is an error that names the missing attribute', () => {
  const { privateSubnetRouteTableIds: _, ...withoutRouteTables } = VPC;
  expect(() => settingsOf({ vpc: withoutRouteTables })).toThrow(/^context "vpc" must be a JSON object .*; "privateSubnetRouteTableIds" must be a non-empty list of strings$/);
});

it('a vpc with an unknown attribute is an error, not a silent default', () => {
  expect(() => settingsOf({ vpc: { ...VPC, subnetIds: [] } })).toThrow(/; unknown key "subnetIds"$/);
});

it('network settings without a vpc are an error naming them', () => {
  expect(() => settingsOf({ codeStreamCidrs: ['10.20.0.0/16'], vpcEndpoints: true })).toThrow('context "codeStreamCidrs", "vpcEndpoints": only with context "vpc"');
});

it('a prefix list without a vpc is an error naming it', () => {
  expect(() => settingsOf({ s3PrefixListId: 'pl-6ea54007' })).toThrow('context "s3PrefixListId": only with context "vpc"');
});

it('an ARN of the wrong service is an error', () => {
  expect(() => settingsOf({ kmsKeyArn: 'arn:aws:sns:eu-central-1:111122223333:alarms' })).toThrow(/^context "kmsKeyArn" must be an ARN of kms/);
});

it('alarmEmail and alarmTopicArn together are an error', () => {
  expect(() => settingsOf({ alarmEmail: 'ops@example.com', alarmTopicArn: 'arn:aws:sns:eu-central-1:111122223333:alarms' })).toThrow(
    /^context "alarmEmail" and "alarmTopicArn": give one/,
  );
});

it('a domain without its certificate is an error', () => {
  expect(() => settingsOf({ domainName: 'hooks.example.com' })).toThrow('context "domainName" needs "certificateArn"');
});

it('webAclRequestsPer5Minutes: a whole number, from cdk.json or the command line', () => {
  expect(settingsOf({ webAclRequestsPer5Minutes: 2000 }).webAclRequestsPer5Minutes).toBe(2000);
  expect(settingsOf({ webAclRequestsPer5Minutes: '2000' }).webAclRequestsPer5Minutes).toBe(2000);
  expect(() => settingsOf({ webAclRequestsPer5Minutes: '2k' })).toThrow(/^context "webAclRequestsPer5Minutes" is not valid JSON/);
  expect(() => settingsOf({ webAclRequestsPer5Minutes: 20.5 })).toThrow('context "webAclRequestsPer5Minutes" must be a whole number; got 20.5');
});

it('a hosted zone needs both its id and its name', () => {
  expect(() => settingsOf({ hostedZoneId: 'Z0123456789ABCDEFGHIJ' })).toThrow('context "hostedZoneId" and "hostedZoneName": give both, or neither');
});

describe('relay options from the settings', () => {
  it('import the VPC, the security groups and the key by what the context names', () => {
    const stack = new Stack(new App(), 'Settings');
    const options = relayOptions(
      stack,
      settingsOf({ vpc: VPC, securityGroupIds: ['sg-0123456789abcdef0'], kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }),
    );
    expect(options.vpc?.vpcId).toBe(VPC.vpcId);
    expect(options.vpc?.privateSubnets.map((subnet) => subnet.routeTable.routeTableId)).toEqual(VPC.privateSubnetRouteTableIds);
    expect(options.securityGroups?.map((group) => group.securityGroupId)).toEqual(['sg-0123456789abcdef0']);
    expect(options.encryptionKey?.keyArn).toBe('arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  });

  it('pass the prefix lists on as they are', () => {
    const options = relayOptions(
      new Stack(new App(), 'Settings'),
      settingsOf({ vpc: VPC, codeStreamCidrs: ['10.20.0.0/16'], vpcEndpoints: true, dynamoDbPrefixListId: 'pl-66a5400f', s3PrefixListId: 'pl-6ea54007' }),
    );
    expect(options).toMatchObject({ dynamoDbPrefixListId: 'pl-66a5400f', s3PrefixListId: 'pl-6ea54007' });
  });

  it('alarmEmail creates an encrypted topic with the e-mail subscription', () => {
    const stack = new Stack(new App(), 'Settings');
    const options = relayOptions(stack, settingsOf({ alarmEmail: 'ops@example.com' }));
    expect(options.alarmTopic).toBeDefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmTopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('make the web ACL only with webAclRequestsPer5Minutes', () => {
    expect(relayOptions(new Stack(new App(), 'Settings'), settingsOf({})).webAcl).toBe(false);
    expect(relayOptions(new Stack(new App(), 'Settings'), settingsOf({ webAclRequestsPer5Minutes: '500' })).webAcl).toEqual({ requestsPer5Minutes: 500 });
  });

  it('alarmTopicArn imports the topic and creates none', () => {
    const stack = new Stack(new App(), 'Settings');
    const options = relayOptions(stack, settingsOf({ alarmTopicArn: 'arn:aws:sns:eu-central-1:111122223333:alarms' }));
    expect(options.alarmTopic?.topicArn).toBe('arn:aws:sns:eu-central-1:111122223333:alarms');
    expect(stack.node.findAll().filter((construct) => construct instanceof CfnTopic)).toEqual([]);
  });
});
