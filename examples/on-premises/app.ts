/**
 * The on-premises example as a CDK app. From the repository's root:
 *
 *   npx cdk synth --app 'npx tsx examples/on-premises/app.ts'
 *
 * or from this folder, with its cdk.json: `npx cdk synth`. Replace the VPC, subnets, CIDRs and
 * e-mail address below with yours, put the secrets the config names in Secrets Manager, then
 * `npx cdk deploy`. Tests build the same app with buildOnPremisesApp.
 */
import path from 'node:path';
import { App, CfnOutput, Duration, type Stack, Validations } from 'aws-cdk-lib';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AlarmTopic } from '../../infra/AlarmTopic';
import { CodeStreamRelayStack, type RelayOptions } from '../../infra/CodeStreamRelayStack';

/**
 * The relay next to an on-premises Aria Automation: the relay function in the company's private
 * subnets (no NAT: AWS through endpoints, Code Stream through the proxy over the VPN), a customer
 * key for everything, and alarms that e-mail the platform team.
 *
 * @example
 * const { app } = buildOnPremisesApp();
 * app.synth();
 */
export function buildOnPremisesApp(app = new App()): { app: App; stack: CodeStreamRelayStack } {
  const stack = new CodeStreamRelayStack(app, 'CodeStreamRelayOnPremises', {
    configFile: path.join(__dirname, 'relay.config.yaml'),
    relay: onPremisesRelay,
    // The VPC's region; the account is the one the CLI deploys to.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'eu-central-1' },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

function onPremisesRelay(stack: Stack): RelayOptions {
  // The VPC by its attributes: synth needs no AWS credentials. The alternative,
  //   Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-0a1b2c3d4e5f60718' })
  // asks AWS at synth (the stack then needs an explicit account and region) and caches the answer
  // in cdk.context.json, which is to be committed.
  const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    availabilityZones: ['eu-central-1a', 'eu-central-1b'],
    privateSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'],
  });
  // The relay adds to this key's policy what CloudWatch Logs needs, and the alarm topic what
  // CloudWatch alarms need. A key imported with Key.fromKeyArn must allow both in its own policy.
  const encryptionKey = new Key(stack, 'RelayKey', {
    description: 'Encrypts the Code Stream webhook relay: queues, table, logs, secrets and alarms',
    enableKeyRotation: true,
  });
  new CfnOutput(stack, 'KeyArn', {
    description: 'Create the secrets the config names with this key: aws secretsmanager create-secret --kms-key-id <KeyArn>',
    value: encryptionKey.keyArn,
  });
  const { topic } = new AlarmTopic(stack, 'AlarmTopic', { emails: ['platform-team@corp.example'], encryptionKey });
  return {
    vpc,
    // The company network behind the VPN: the proxy (relay.config.yaml's codestream.proxy) is there.
    codeStreamCidrs: ['10.20.0.0/16'],
    vpcEndpoints: true,
    encryptionKey,
    alarmTopic: topic,
    credentialAgeAlarm: Duration.days(75),
    maxConcurrency: 2,
  };
}

// Synthesized when run as the app, not when a test imports it.
if (require.main === module) buildOnPremisesApp().app.synth();
