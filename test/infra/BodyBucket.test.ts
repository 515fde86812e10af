import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BodyBucket, type BodyBucketProps } from '../../infra/BodyBucket';

const FOURTEEN_DAYS = { retentionPeriod: Duration.days(14), deadLetterRetentionPeriod: Duration.days(14) };

/** A body bucket in a stack of its own, and the template: no functions, so no bundling. */
function bodies(props: (stack: Stack) => Partial<BodyBucketProps> = () => ({}), use: (bodies: BodyBucket, stack: Stack) => void = () => {}): Template {
  const stack = new Stack(new App(), 'Bodies');
  use(new BodyBucket(stack, 'Bodies', { queues: FOURTEEN_DAYS, ...props(stack) }), stack);
  return Template.fromStack(stack);
}

const bucketProperties = (template: Template) => {
  const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
  expect(buckets).toHaveLength(1);
  return buckets[0]?.Properties;
};

const expirationOf = (queues: BodyBucketProps['queues']) => bucketProperties(bodies(() => ({ queues }))).LifecycleConfiguration.Rules[0].ExpirationInDays;

it('without a key, S3-managed encryption', () => {
  expect(bucketProperties(bodies()).BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
});

it('with a key, that key', () => {
  const template = bodies((scope) => ({ encryptionKey: new Key(scope, 'Key') }));
  const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
  expect(bucketProperties(template).BucketEncryption).toEqual({
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }],
  });
});

it('refuses requests without TLS, or with TLS older than 1.2', () => {
  const policies = Object.values(bodies().findResources('AWS::S3::BucketPolicy'));
  expect(policies).toHaveLength(1);
  const statements = policies[0]?.Properties.PolicyDocument.Statement;
  expect(statements).toEqual([
    expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
  ]);
});

it('is private: every public access blocked, ACLs disabled, no versioning', () => {
  const properties = bucketProperties(bodies());
  expect(properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  expect(properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  expect(properties.VersioningConfiguration).toBeUndefined();
});

it('expires the bodies once no message can name them: after the longest quiet period and both retentions, a day to spare', () => {
  expect(bucketProperties(bodies()).LifecycleConfiguration).toEqual({
    Rules: [{ Id: 'ExpireBodies', Prefix: 'bodies/', ExpirationInDays: 30, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }],
  });
});

it('derives the expiry from the queues’ retentions, whichever is longer, and a day of quiet period, in whole days', () => {
  expect(expirationOf({ retentionPeriod: Duration.days(4), deadLetterRetentionPeriod: Duration.days(10) })).toBe(22);
  expect(expirationOf({ retentionPeriod: Duration.days(10), deadLetterRetentionPeriod: Duration.days(4) })).toBe(16);
  // 84 hours: three and a half days, rounded up.
  expect(expirationOf({ retentionPeriod: Duration.hours(30), deadLetterRetentionPeriod: Duration.hours(30) })).toBe(5);
});

it('is retained when the stack is deleted, as the table is', () => {
  const [bucket] = Object.values(bodies().findResources('AWS::S3::Bucket'));
  expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
});

it('grants one action on the bodies only, to the role given', () => {
  const template = bodies(undefined, (built, stack) => built.grantOnBodies(new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }), 's3:GetObject'));
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
    {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^BodiesBucket/), 'Arn'] }, '/bodies/*']] },
    },
  ]);
});
