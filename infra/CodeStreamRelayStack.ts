import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigError, formatProblem } from '../lambda/config/ConfigError';
import { loadConfig } from '../lambda/config/loadConfig';
import { WebhookRelay, type WebhookRelayProps } from './WebhookRelay';

/** Everything of WebhookRelay but the config. */
export type RelayOptions = Omit<WebhookRelayProps, 'config'>;

export interface CodeStreamRelayStackProps extends StackProps {
  /** The config file, checked at synth: an invalid one fails synth with relay validate's messages. */
  configFile: string;
  /**
   * Everything of WebhookRelay but the config; or a function that makes it in the stack, for what
   * it imports or creates there (a VPC, a key, a topic).
   * @default WebhookRelay's defaults
   */
  relay?: RelayOptions | ((stack: Stack) => RelayOptions);
}

/** The relay as a deployable stack: `npx cdk deploy`. Outputs each source's webhook URL, the queue and bucket names. */
export class CodeStreamRelayStack extends Stack {
  readonly relay: WebhookRelay;

  constructor(scope: Construct, id: string, props: CodeStreamRelayStackProps) {
    super(scope, id, props);
    let loaded;
    try {
      loaded = loadConfig(props.configFile);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new Error(`the relay config is invalid:\n${error.problems.map(formatProblem).join('\n')}`, { cause: error });
    }
    const options = typeof props.relay === 'function' ? props.relay(this) : props.relay;
    this.relay = new WebhookRelay(this, 'Relay', { ...options, config: loaded.config });
    for (const [source, url] of Object.entries(this.relay.webhookUrls)) {
      new CfnOutput(this, `WebhookUrl${source.replace(/[^A-Za-z0-9]/g, '')}`, { description: `Webhook URL of source ${source}`, value: url });
    }
    new CfnOutput(this, 'QueueName', { value: this.relay.queue.queueName });
    new CfnOutput(this, 'DeadLetterQueueName', { value: this.relay.deadLetterQueue.queueName });
    new CfnOutput(this, 'BodyBucketName', { description: 'Where large deliveries are: relay dlq show and replay read them', value: this.relay.bodyBucket.bucketName });
    new CfnOutput(this, 'DashboardName', { value: this.relay.dashboard.dashboardName });
    if (this.relay.deliveryLogTable) {
      new CfnOutput(this, 'DeliveriesTableName', { description: 'The delivery log: relay deliveries and relay console --deliveries-table read it', value: this.relay.deliveryLogTable.tableName });
    }
  }
}
