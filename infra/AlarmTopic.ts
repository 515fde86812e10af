import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Who is told by e-mail; each address confirms its subscription once, from the first message. @default nobody yet */
  emails?: string[];
  /**
   * Encrypts the topic. CloudWatch alarms publish to it, so CloudWatch may use the key: the
   * construct adds that to the key's policy, which it cannot do for an imported key
   * (Key.fromKeyArn), whose policy must then allow `cloudwatch.amazonaws.com` kms:Decrypt and
   * kms:GenerateDataKey*. Not the AWS-managed SNS key: alarms cannot publish to a topic it encrypts.
   * @default a new key, rotated yearly
   */
  encryptionKey?: IKey;
}

/**
 * An SNS topic for the relay's alarms: encrypted with a key CloudWatch may use, TLS only, with
 * e-mail subscriptions.
 *
 * @example
 * const { topic } = new AlarmTopic(stack, 'AlarmTopic', { emails: ['platform-team@example.com'] });
 * new WebhookRelay(stack, 'Relay', { config, alarmTopic: topic });
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey ?? new Key(this, 'Key', { description: 'Encrypts the Code Stream webhook relay alarm topic', enableKeyRotation: true });
    this.encryptionKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { displayName: 'Code Stream webhook relay alarms', masterKey: this.encryptionKey, enforceSSL: true });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
  }
}
