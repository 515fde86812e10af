import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppSettings, relayOptions } from './appSettings';
import { CodeStreamRelayStack } from './CodeStreamRelayStack';

/**
 * cdk.json's app. Its settings come from the context: cdk.json's "context", or `-c key=value`
 * (lists, objects and booleans as JSON there, e.g. `-c codeStreamCidrs='["10.20.0.0/16"]'`).
 *
 * - `relayConfig`: the config file (default relay.config.yaml); `stackName` (default CodeStreamRelay)
 * - `ecrEventsToQueue`: ECR image pushes straight to the queue (default false)
 * - `vpc`: run the relay in an existing VPC, `{"vpcId", "availabilityZones", "privateSubnetIds",
 *   "privateSubnetRouteTableIds"}`; with it `securityGroupIds` (the functions' own security groups) or
 *   `codeStreamCidrs` (where Code Stream or its proxy is, for the security group the relay creates),
 *   `vpcEndpoints` (endpoints for subnets without a NAT), `dynamoDbPrefixListId`, `s3PrefixListId`,
 *   `ingressInVpc`
 * - `kmsKeyArn`: a customer-managed key for queues, table, body bucket, logs and secrets
 * - `alarmEmail` (creates an encrypted topic that e-mails it) or `alarmTopicArn`: where alarms go
 * - `tracing`: active X-Ray tracing (default false)
 * - `domainName` with `certificateArn`, and `hostedZoneId` with `hostedZoneName` for its alias record
 * - `apiGatewayCloudWatchRole`: set the account's API Gateway CloudWatch role (default false)
 * - `webAclRequestsPer5Minutes`: a web ACL that blocks an IP address over this many requests in
 *   5 minutes (default none: it costs money, see docs/deploy.md)
 */
const app = new App();
const settings = readAppSettings((key) => app.node.tryGetContext(key));
new CodeStreamRelayStack(app, settings.stackName, {
  configFile: settings.relayConfig,
  relay: (stack) => relayOptions(stack, settings),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// Any finding fails synth; acknowledged ones carry their reason where the resource is defined.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
