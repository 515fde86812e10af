import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CodeStreamRelayStack } from './CodeStreamRelayStack';

/** cdk.json's app. Context: `relayConfig` (default relay.config.yaml), `stackName` (default CodeStreamRelay), `ecrEventsToQueue`. */
const app = new App();
new CodeStreamRelayStack(app, app.node.tryGetContext('stackName') ?? 'CodeStreamRelay', {
  configFile: app.node.tryGetContext('relayConfig') ?? 'relay.config.yaml',
  relay: { ecrEventsToQueue: app.node.tryGetContext('ecrEventsToQueue') === 'true' || app.node.tryGetContext('ecrEventsToQueue') === true },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// Any finding fails synth; acknowledged ones carry their reason where the resource is defined.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
