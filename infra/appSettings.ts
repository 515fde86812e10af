import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { AlarmTopic } from './AlarmTopic';
import type { RelayOptions } from './CodeStreamRelayStack';

/** An existing VPC, by the attributes Vpc.fromVpcAttributes needs: synth then needs no AWS credentials. */
export interface VpcSettings {
  vpcId: string;
  availabilityZones: string[];
  /** The relay's subnets: as many per availability zone, in the same order. */
  privateSubnetIds: string[];
  /** The route table of each subnet, in the same order: the DynamoDB and S3 gateway endpoints of vpcEndpoints go there. */
  privateSubnetRouteTableIds: string[];
}

/** The app's settings, from the CDK context (cdk.json, or `-c key=value`). */
export interface AppSettings {
  relayConfig: string;
  stackName: string;
  ecrEventsToQueue: boolean;
  vpc?: VpcSettings;
  securityGroupIds?: string[];
  codeStreamCidrs?: string[];
  gitServerCidrs?: string[];
  vpcEndpoints: boolean;
  ingressInVpc: boolean;
  dynamoDbPrefixListId?: string;
  s3PrefixListId?: string;
  kmsKeyArn?: string;
  alarmEmail?: string;
  alarmTopicArn?: string;
  tracing: boolean;
  domainName?: string;
  certificateArn?: string;
  hostedZone?: { hostedZoneId: string; zoneName: string };
  apiGatewayCloudWatchRole: boolean;
  /** Make a web ACL that blocks an IP address over this many requests in 5 minutes (it costs money). */
  webAclRequestsPer5Minutes?: number;
}

/** A context value, as `node.tryGetContext` returns it: typed from cdk.json, a string from the command line. */
export type ContextReader = (key: string) => unknown;

/**
 * Reads and checks the app's context. Values given on the command line arrive as strings: lists,
 * objects and booleans are parsed as JSON there. Settings that need another are checked together.
 * @throws Error naming the context key and what it expects.
 *
 * @example
 * const settings = readAppSettings((key) => app.node.tryGetContext(key));
 */
export function readAppSettings(context: ContextReader): AppSettings {
  const read = new ContextValues(context);
  const settings: AppSettings = {
    relayConfig: read.string('relayConfig') ?? 'relay.config.yaml',
    stackName: read.string('stackName') ?? 'CodeStreamRelay',
    ecrEventsToQueue: read.boolean('ecrEventsToQueue'),
    vpc: read.vpc('vpc'),
    securityGroupIds: read.strings('securityGroupIds', '["sg-0123456789abcdef0"]'),
    codeStreamCidrs: read.strings('codeStreamCidrs', '["10.20.0.0/16"]'),
    gitServerCidrs: read.strings('gitServerCidrs', '["10.30.0.0/16"]'),
    vpcEndpoints: read.boolean('vpcEndpoints'),
    ingressInVpc: read.boolean('ingressInVpc'),
    dynamoDbPrefixListId: read.string('dynamoDbPrefixListId'),
    s3PrefixListId: read.string('s3PrefixListId'),
    kmsKeyArn: read.arn('kmsKeyArn', 'kms'),
    alarmEmail: read.string('alarmEmail'),
    alarmTopicArn: read.arn('alarmTopicArn', 'sns'),
    tracing: read.boolean('tracing'),
    domainName: read.string('domainName'),
    certificateArn: read.arn('certificateArn', 'acm'),
    apiGatewayCloudWatchRole: read.boolean('apiGatewayCloudWatchRole'),
    webAclRequestsPer5Minutes: read.wholeNumber('webAclRequestsPer5Minutes'),
  };
  const hostedZoneId = read.string('hostedZoneId');
  const zoneName = read.string('hostedZoneName');
  if ((hostedZoneId === undefined) !== (zoneName === undefined)) throw new Error('context "hostedZoneId" and "hostedZoneName": give both, or neither');
  if (hostedZoneId && zoneName) settings.hostedZone = { hostedZoneId, zoneName };
  checkTogether(settings);
  return settings;
}

/**
 * The relay's options from the settings, importing into the stack what they name (VPC, security
 * groups, key, topic, certificate, hosted zone) and creating the alarm topic for `alarmEmail`.
 */
export function relayOptions(scope: Construct, settings: AppSettings): RelayOptions {
  return {
    ecrEventsToQueue: settings.ecrEventsToQueue,
    vpc: settings.vpc && Vpc.fromVpcAttributes(scope, 'Vpc', settings.vpc),
    securityGroups: settings.securityGroupIds?.map((id, index) =>
      // Not mutable: the relay never adds rules to a security group it was given.
      SecurityGroup.fromSecurityGroupId(scope, `SecurityGroup${index}`, id, { mutable: false }),
    ),
    codeStreamCidrs: settings.codeStreamCidrs,
    gitServerCidrs: settings.gitServerCidrs,
    vpcEndpoints: settings.vpcEndpoints,
    ingressInVpc: settings.ingressInVpc,
    dynamoDbPrefixListId: settings.dynamoDbPrefixListId,
    s3PrefixListId: settings.s3PrefixListId,
    encryptionKey: settings.kmsKeyArn ? Key.fromKeyArn(scope, 'Key', settings.kmsKeyArn) : undefined,
    alarmTopic: settings.alarmTopicArn
      ? Topic.fromTopicArn(scope, 'AlarmTopic', settings.alarmTopicArn)
      : settings.alarmEmail
        ? new AlarmTopic(scope, 'AlarmTopic', { emails: [settings.alarmEmail] }).topic
        : undefined,
    tracing: settings.tracing,
    domainName: settings.domainName,
    certificate: settings.certificateArn ? Certificate.fromCertificateArn(scope, 'Certificate', settings.certificateArn) : undefined,
    hostedZone: settings.hostedZone && HostedZone.fromHostedZoneAttributes(scope, 'HostedZone', settings.hostedZone),
    apiGatewayCloudWatchRole: settings.apiGatewayCloudWatchRole,
    webAcl: settings.webAclRequestsPer5Minutes !== undefined && { requestsPer5Minutes: settings.webAclRequestsPer5Minutes },
  };
}

function checkTogether(settings: AppSettings): void {
  if (!settings.vpc) {
    const needVpc = (['securityGroupIds', 'codeStreamCidrs', 'gitServerCidrs', 'vpcEndpoints', 'ingressInVpc', 'dynamoDbPrefixListId', 's3PrefixListId'] as const).filter(
      (key) => settings[key] !== undefined && settings[key] !== false,
    );
    if (needVpc.length > 0) throw new Error(`context ${needVpc.map((key) => `"${key}"`).join(', ')}: only with context "vpc"`);
  }
  if (settings.alarmEmail && settings.alarmTopicArn) throw new Error('context "alarmEmail" and "alarmTopicArn": give one, the topic is created for alarmEmail');
  if (settings.domainName && !settings.certificateArn) throw new Error('context "domainName" needs "certificateArn", a certificate for it in ACM');
  if (!settings.domainName && (settings.certificateArn || settings.hostedZone)) {
    throw new Error('context "certificateArn", "hostedZoneId" and "hostedZoneName": only with context "domainName"');
  }
}

/** Typed reads of context values, each error naming its key. */
class ContextValues {
  constructor(private readonly context: ContextReader) {}

  string(key: string): string | undefined {
    const value = this.context(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw new Error(`context "${key}" must be a non-empty string; got ${JSON.stringify(value)}`);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.context(key);
    if (value === undefined || value === false || value === 'false') return false;
    if (value === true || value === 'true') return true;
    throw new Error(`context "${key}" must be true or false; got ${JSON.stringify(value)}`);
  }

  /** A whole number; its range is the prop's to check. */
  wholeNumber(key: string): number | undefined {
    const value = this.#json(key);
    if (value === undefined) return undefined;
    if (!Number.isInteger(value)) throw new Error(`context "${key}" must be a whole number; got ${JSON.stringify(value)}`);
    return value as number;
  }

  strings(key: string, example: string): string[] | undefined {
    const value = this.#json(key);
    if (value === undefined) return undefined;
    if (!isStringList(value) || value.length === 0) throw new Error(`context "${key}" must be a JSON list of strings, such as ${example}; got ${JSON.stringify(value)}`);
    return value;
  }

  arn(key: string, service: string): string | undefined {
    const value = this.string(key);
    if (value !== undefined && !new RegExp(`^arn:[^:]+:${service}:`).test(value)) {
      throw new Error(`context "${key}" must be an ARN of ${service} (arn:aws:${service}:…); got ${JSON.stringify(value)}`);
    }
    return value;
  }

  vpc(key: string): VpcSettings | undefined {
    const value = this.#json(key);
    if (value === undefined) return undefined;
    const expected =
      `context "${key}" must be a JSON object {"vpcId": "vpc-…", "availabilityZones": [...], "privateSubnetIds": [...], "privateSubnetRouteTableIds": [...]}`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${expected}; got ${JSON.stringify(value)}`);
    const object = value as Record<string, unknown>;
    const allowed = ['vpcId', 'availabilityZones', 'privateSubnetIds', 'privateSubnetRouteTableIds'];
    const unknown = Object.keys(object).filter((name) => !allowed.includes(name));
    if (unknown.length > 0) throw new Error(`${expected}; unknown key ${unknown.map((name) => `"${name}"`).join(', ')}`);
    if (typeof object.vpcId !== 'string' || object.vpcId === '') throw new Error(`${expected}; "vpcId" is missing`);
    for (const list of ['availabilityZones', 'privateSubnetIds', 'privateSubnetRouteTableIds'] as const) {
      if (!isStringList(object[list]) || object[list].length === 0) throw new Error(`${expected}; "${list}" must be a non-empty list of strings`);
    }
    const vpc = object as unknown as VpcSettings;
    if (vpc.privateSubnetIds.length % vpc.availabilityZones.length !== 0) {
      throw new Error(`${expected}; "privateSubnetIds" must hold as many subnets for each of the ${vpc.availabilityZones.length} availability zones`);
    }
    if (vpc.privateSubnetRouteTableIds.length !== vpc.privateSubnetIds.length) {
      throw new Error(`${expected}; "privateSubnetRouteTableIds" must list one route table per subnet of "privateSubnetIds"`);
    }
    return vpc;
  }

  /** A value as given in cdk.json, or parsed from the string the command line gives. */
  #json(key: string): unknown {
    const value = this.context(key);
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      throw new Error(`context "${key}" is not valid JSON (${(error as Error).message}): ${value}`, { cause: error });
    }
  }
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}
