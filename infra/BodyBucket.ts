import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BODY_KEY_PREFIX } from '../lambda/bodies/BodyStore';
import { MAX_QUIET_PERIOD_MS } from '../lambda/rules/quietPeriod';
import type { RelayQueues } from './RelayQueues';

export interface BodyBucketProps {
  /** The retentions of the queues whose messages name the bodies: a body outlives every message that may name it. */
  queues: Pick<RelayQueues, 'retentionPeriod' | 'deadLetterRetentionPeriod'>;
  /** Encrypts the bodies. @default S3-managed encryption */
  encryptionKey?: IKey;
}

/**
 * The claim check for deliveries whose message would not fit SQS's 1 MiB: ingress puts the body
 * here and queues a reference to it, the relay reads it back. Encrypted, TLS only, private, and
 * each body expires once no message can name it any more.
 */
export class BodyBucket extends Construct {
  readonly bucket: Bucket;
  /** How long a body is kept. */
  readonly expiration: Duration;

  constructor(scope: Construct, id: string, props: BodyBucketProps) {
    super(scope, id);
    this.expiration = bodyLifetime(props.queues);
    this.bucket = new Bucket(this, 'Bucket', {
      ...(props.encryptionKey ? { encryption: BucketEncryption.KMS, encryptionKey: props.encryptionKey } : { encryption: BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireBodies', prefix: BODY_KEY_PREFIX, expiration: this.expiration, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Retained, as the table is: CloudFormation cannot delete a bucket that holds objects, and emptying
      // it would take a custom resource allowed to delete every object. Left behind, the rule above empties it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Access logs would need a log bucket of their own, itself unlogged. Only the two functions may use this bucket: ingress may put ' +
        `objects under ${BODY_KEY_PREFIX} and the relay get and put them, nothing else; each object expires within ${this.expiration.toDays()} days. ` +
        'CloudTrail data events record object access where an account needs them.',
    });
  }

  /** Lets a role do one thing with the bodies, and nothing with the bucket or its other keys. */
  grantOnBodies(role: IRole, action: 's3:PutObject' | 's3:GetObject'): void {
    const keys = `${BODY_KEY_PREFIX}*`;
    this.bucket.grants.actionsOnObjectKeys(role, keys, action);
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${keys}]`,
      reason: `Each body is an object of its own, named by its delivery: the function may ${action} on those under ${BODY_KEY_PREFIX} only.`,
    });
  }
}

/**
 * How long a body must be kept: a delivery waiting out a rule's quiet period is sent again as a
 * new message until the period ends (a day at most); a message names it for up to the longer
 * retention (SQS keeps a message's enqueue time when it dead-letters it), and `relay dlq redrive`,
 * within the DLQ's retention, sends a copy that names it that long again. In whole days, S3's
 * unit, and one to spare.
 */
function bodyLifetime(queues: BodyBucketProps['queues']): Duration {
  const longer = Math.max(queues.retentionPeriod.toSeconds(), queues.deadLetterRetentionPeriod.toSeconds());
  const lifetime = MAX_QUIET_PERIOD_MS / 1000 + queues.deadLetterRetentionPeriod.toSeconds() + longer;
  return Duration.days(Math.ceil(Duration.seconds(lifetime).toDays({ integral: false })) + 1);
}
