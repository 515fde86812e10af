import { App } from 'aws-cdk-lib';

// cdk.json's app. The relay's stack (API Gateway, queues, functions, alarms) is built in issue #6;
// until it lands the app synthesises nothing.
const app = new App();
app.synth();
