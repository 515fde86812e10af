import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface RelayNetworkProps {
  vpc: IVpc;
  /** The relay's subnets (and ingress's, in the VPC); the interface endpoints go there too. @default the VPC's private subnets */
  vpcSubnets?: SubnetSelection;
  /** The functions' security groups; none are created then. @default created, see codeStreamCidrs */
  securityGroups?: ISecurityGroup[];
  /** Where Code Stream, or its proxy, is: the only egress of the relay's own security group besides AWS. Required without securityGroups. @default none */
  codeStreamCidrs?: string[];
  /** The port the relay connects to: Code Stream's, or its proxy's. */
  codeStreamPort: number;
  /** Where the Git servers that take commit statuses are (HTTPS). @default none */
  gitServerCidrs?: string[];
  /** Put the ingress function in the VPC too. */
  ingressInVpc: boolean;
  /** Create the endpoints that subnets without a NAT need. */
  vpcEndpoints: boolean;
  /** Add the KMS endpoint: a customer key is used. */
  kmsEndpoint: boolean;
  /** Add the X-Ray endpoint: tracing is on. */
  xrayEndpoint: boolean;
  /** The region's DynamoDB prefix list, for both functions' egress to the gateway endpoint. @default looked up at deploy time */
  dynamoDbPrefixListId?: string;
  /** The region's S3 prefix list, for the functions' egress to the gateway endpoint. @default looked up at deploy time */
  s3PrefixListId?: string;
  /** Retention of the prefix-list lookup's log group. */
  logRetention: RetentionDays;
  /** Encrypts the prefix-list lookup's log group. @default CloudWatch Logs' own encryption */
  encryptionKey?: IKey;
}

const HTTPS = Port.tcp(443);
const PREFIX_LIST_ID = 'PrefixLists.0.PrefixListId';

/**
 * Where the functions run in a company VPC: the relay's security group, which may reach Code Stream
 * (or its proxy) and AWS only, and, for subnets without a NAT, the interface endpoints (SQS, Secrets
 * Manager, CloudWatch Logs and Monitoring, KMS, X-Ray) with their own security group and the
 * DynamoDB and S3 gateway endpoints.
 */
export class RelayNetwork extends Construct {
  readonly relaySecurityGroups: readonly ISecurityGroup[];
  /** Ingress's security groups, when it runs in the VPC. */
  readonly ingressSecurityGroups?: readonly ISecurityGroup[];
  /** The relay's security group, when none was given. */
  readonly relaySecurityGroup?: SecurityGroup;
  /** Ingress's security group, when it runs in the VPC and none was given. */
  readonly ingressSecurityGroup?: SecurityGroup;
  /** The interface endpoints' security group: HTTPS from the functions only. */
  readonly endpointSecurityGroup?: SecurityGroup;
  /** The interface endpoints, by service: Sqs, SecretsManager, Logs, Monitoring, Kms, XRay. */
  readonly interfaceEndpoints: Readonly<Record<string, InterfaceVpcEndpoint>>;
  readonly dynamoDbEndpoint?: GatewayVpcEndpoint;
  /** Finds the DynamoDB prefix list at deploy time, when its id was not given. */
  readonly dynamoDbPrefixListLookup?: AwsCustomResource;
  /** For the bodies of large deliveries, which both functions use. */
  readonly s3Endpoint?: GatewayVpcEndpoint;
  /** Finds the S3 prefix list at deploy time, when its id was not given. */
  readonly s3PrefixListLookup?: AwsCustomResource;
  /** The role and log group of the one function that runs every prefix-list lookup, made with the first. */
  #lookupFunction?: { role: Role; logGroup: LogGroup };

  constructor(scope: Construct, id: string, props: RelayNetworkProps) {
    super(scope, id);
    const { vpc } = props;
    if (props.vpcEndpoints) this.#checkRouteTables(props);

    if (props.securityGroups?.length) {
      this.relaySecurityGroups = props.securityGroups;
    } else {
      this.relaySecurityGroup = new SecurityGroup(this, 'RelaySecurityGroup', {
        vpc,
        description: 'Code Stream webhook relay function: Code Stream and AWS only',
        allowAllOutbound: false,
      });
      for (const cidr of props.codeStreamCidrs ?? []) {
        this.relaySecurityGroup.addEgressRule(Peer.ipv4(cidr), Port.tcp(props.codeStreamPort), 'Code Stream or its proxy');
      }
      for (const cidr of props.gitServerCidrs ?? []) this.relaySecurityGroup.addEgressRule(Peer.ipv4(cidr), HTTPS, 'A Git server, for commit statuses');
      this.relaySecurityGroups = [this.relaySecurityGroup];
    }
    if (props.ingressInVpc) {
      if (props.securityGroups?.length) {
        this.ingressSecurityGroups = props.securityGroups;
      } else {
        this.ingressSecurityGroup = new SecurityGroup(this, 'IngressSecurityGroup', {
          vpc,
          description: 'Code Stream webhook relay ingress function: AWS only',
          allowAllOutbound: false,
        });
        this.ingressSecurityGroups = [this.ingressSecurityGroup];
      }
    }
    const created = [this.relaySecurityGroup, this.ingressSecurityGroup].filter((group) => group !== undefined);

    if (!props.vpcEndpoints) {
      this.interfaceEndpoints = {};
      for (const group of created) group.addEgressRule(Peer.anyIpv4(), HTTPS, 'AWS public endpoints, through the NAT');
      return;
    }

    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'AWS service endpoints of the Code Stream webhook relay: HTTPS from its functions only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = endpointSecurityGroup;
    for (const group of new Set([...this.relaySecurityGroups, ...(this.ingressSecurityGroups ?? [])])) {
      if (created.some((own) => own === group)) {
        group.connections.allowTo(endpointSecurityGroup, HTTPS, 'AWS service endpoints');
      } else {
        // A given security group is the caller's: only the endpoints' side changes.
        endpointSecurityGroup.addIngressRule(group, HTTPS, 'Code Stream webhook relay functions');
      }
    }
    const services: Record<string, InterfaceVpcEndpointAwsService> = {
      Sqs: InterfaceVpcEndpointAwsService.SQS,
      SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Monitoring: InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      ...(props.kmsEndpoint ? { Kms: InterfaceVpcEndpointAwsService.KMS } : {}),
      ...(props.xrayEndpoint ? { XRay: InterfaceVpcEndpointAwsService.XRAY } : {}),
    };
    this.interfaceEndpoints = Object.fromEntries(
      Object.entries(services).map(([name, service]) => [
        name,
        new InterfaceVpcEndpoint(this, `${name}Endpoint`, {
          vpc,
          service,
          subnets: props.vpcSubnets,
          securityGroups: [endpointSecurityGroup],
          privateDnsEnabled: true,
          // The security group above says who may connect; `open` would admit the whole VPC.
          open: false,
        }),
      ]),
    );
    const gatewayEndpoint = (id: string, service: GatewayVpcEndpointAwsService) => new GatewayVpcEndpoint(this, id, { vpc, service, subnets: [props.vpcSubnets ?? {}] });
    this.dynamoDbEndpoint = gatewayEndpoint('DynamoDbEndpoint', GatewayVpcEndpointAwsService.DYNAMODB);
    this.s3Endpoint = gatewayEndpoint('S3Endpoint', GatewayVpcEndpointAwsService.S3);
    // Both functions use DynamoDB (the relay its tables, ingress the delivery log) and S3 (the bodies of large deliveries).
    if (created.length > 0) {
      const dynamoDb = this.#prefixList('DynamoDbPrefixList', 'dynamodb', props.dynamoDbPrefixListId, props);
      this.dynamoDbPrefixListLookup = dynamoDb.lookup;
      for (const group of created) group.addEgressRule(Peer.prefixList(dynamoDb.prefixListId), HTTPS, 'DynamoDB, through its gateway endpoint');
      const s3 = this.#prefixList('S3PrefixList', 's3', props.s3PrefixListId, props);
      this.s3PrefixListLookup = s3.lookup;
      for (const group of created) group.addEgressRule(Peer.prefixList(s3.prefixListId), HTTPS, 'S3, through its gateway endpoint');
    }
  }

  /**
   * A gateway endpoint's traffic goes to the service's public addresses, which only the region's
   * managed prefix list names. Its id differs per region and CloudFormation returns it nowhere, so
   * unless given it is read at deploy time (ec2:DescribeManagedPrefixLists): synth then needs no
   * AWS credentials, unlike a context lookup.
   */
  #prefixList(id: string, service: string, given: string | undefined, props: RelayNetworkProps): { prefixListId: string; lookup?: AwsCustomResource } {
    if (given !== undefined) return { prefixListId: given };
    const prefixListName = `com.amazonaws.${Stack.of(this).region}.${service}`;
    this.#lookupFunction ??= this.#lookupFunctionRoleAndLogs(props);
    const lookup = new AwsCustomResource(this, id, {
      onUpdate: {
        service: 'EC2',
        action: 'DescribeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [prefixListName] }] },
        physicalResourceId: PhysicalResourceId.of(prefixListName),
        outputPaths: [PREFIX_LIST_ID],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      ...this.#lookupFunction,
      // The runtime's SDK has the call; installing the latest would fetch packages at deploy time.
      installLatestAwsSdk: false,
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeManagedPrefixLists supports no resource-level permissions; the lookup may call nothing else.',
    });
    return { prefixListId: lookup.getResponseField(PREFIX_LIST_ID), lookup };
  }

  /** A role of its own, instead of AWSLambdaBasicExecutionRole: it may write to its log group only. */
  #lookupFunctionRoleAndLogs(props: RelayNetworkProps): { role: Role; logGroup: LogGroup } {
    const logGroup = new LogGroup(this, 'PrefixListLookupLogs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'PrefixListLookupRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    return { role, logGroup };
  }

  #checkRouteTables(props: RelayNetworkProps): void {
    const missing = props.vpc.selectSubnets(props.vpcSubnets).subnets.filter((subnet) => !subnet.routeTable?.routeTableId);
    if (missing.length > 0) {
      throw new Error(
        `vpcEndpoints needs the route table of every relay subnet, for the DynamoDB and S3 gateway endpoints; none is known for ${missing.map((subnet) => subnet.subnetId).join(', ')} ` +
          '(with Vpc.fromVpcAttributes, give privateSubnetRouteTableIds)',
      );
    }
  }
}
