import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RelayNetwork, type RelayNetworkProps } from '../../infra/RelayNetwork';

const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-central-1a', 'eu-central-1b'],
  privateSubnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
  privateSubnetRouteTableIds: ['rtb-0123456789abcdef1', 'rtb-0123456789abcdef2'],
};

/** A network in a stack of its own, and the template: no functions, so no bundling. */
function network(props: (stack: Stack) => Partial<RelayNetworkProps>): { network: RelayNetwork; template: Template } {
  const stack = new Stack(new App(), 'Network', { env: { region: 'eu-central-1' } });
  const built = new RelayNetwork(stack, 'Network', {
    vpc: Vpc.fromVpcAttributes(stack, 'Vpc', VPC),
    codeStreamCidrs: ['10.20.0.0/16'],
    codeStreamPort: 443,
    ingressInVpc: false,
    vpcEndpoints: false,
    kmsEndpoint: false,
    xrayEndpoint: false,
    logRetention: RetentionDays.ONE_MONTH,
    ...props(stack),
  });
  return { network: built, template: Template.fromStack(stack) };
}

const egressOf = (template: Template, groupPattern: RegExp) => {
  const [id, group] = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).find(([logicalId]) => groupPattern.test(logicalId)) ?? [];
  const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
    .map((rule) => rule.Properties)
    .filter((rule) => JSON.stringify(rule.GroupId).includes(`"${id}"`));
  return [...(group?.Properties.SecurityGroupEgress ?? []), ...separate];
};

it('behind a NAT, the relay may reach Code Stream at its CIDRs and HTTPS anywhere, for the public AWS endpoints', () => {
  const { template } = network(() => ({ codeStreamCidrs: ['10.20.0.0/16', '192.168.10.0/24'] }));
  expect(egressOf(template, /RelaySecurityGroup/)).toEqual([
    expect.objectContaining({ CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    expect.objectContaining({ CidrIp: '192.168.10.0/24', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
  ]);
  expect(template.findResources('AWS::EC2::VPCEndpoint')).toEqual({});
});

it('ingress in the VPC gets a security group that allows HTTPS to AWS only', () => {
  const { template } = network(() => ({ ingressInVpc: true }));
  expect(egressOf(template, /IngressSecurityGroup/)).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
});

it('no security group accepts inbound traffic but the endpoints’', () => {
  const { template } = network(() => ({ ingressInVpc: true, vpcEndpoints: true, dynamoDbPrefixListId: 'pl-06dd3a8fb5df3f3c2' }));
  for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) expect(group.Properties.SecurityGroupIngress).toBeUndefined();
  const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((rule) => JSON.stringify(rule.Properties.GroupId));
  expect(ingress).toHaveLength(2);
  for (const group of ingress) expect(group).toMatch(/EndpointSecurityGroup/);
});

it('with endpoints and tracing and a key, the X-Ray and KMS endpoints too', () => {
  const { network: built } = network(() => ({ vpcEndpoints: true, kmsEndpoint: true, xrayEndpoint: true, dynamoDbPrefixListId: 'pl-06dd3a8fb5df3f3c2' }));
  expect(Object.keys(built.interfaceEndpoints).sort()).toEqual(['Kms', 'Logs', 'Monitoring', 'SecretsManager', 'Sqs', 'XRay']);
});

it('with endpoints, DynamoDB and S3 gateway endpoints on the subnets’ route tables', () => {
  const { network: built, template } = network(() => ({ vpcEndpoints: true }));
  expect([built.dynamoDbEndpoint, built.s3Endpoint].every((endpoint) => endpoint !== undefined)).toBe(true);
  const gateways = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
  expect(gateways.map((endpoint) => JSON.stringify(endpoint.Properties.ServiceName)).sort()).toEqual([expect.stringContaining('.dynamodb"'), expect.stringContaining('.s3"')]);
  for (const endpoint of gateways) expect(endpoint.Properties.RouteTableIds).toEqual(VPC.privateSubnetRouteTableIds);
});

it('with endpoints, both functions may reach DynamoDB and S3 by their prefix lists', () => {
  const { template } = network(() => ({ ingressInVpc: true, vpcEndpoints: true, dynamoDbPrefixListId: 'pl-66a5400f', s3PrefixListId: 'pl-6ea54007' }));
  const prefixLists = (group: RegExp) => egressOf(template, group).flatMap((rule) => (rule.DestinationPrefixListId ? [`${rule.DestinationPrefixListId} ${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort}`] : []));
  expect(prefixLists(/RelaySecurityGroup/)).toEqual(['pl-66a5400f tcp 443-443', 'pl-6ea54007 tcp 443-443']);
  expect(prefixLists(/IngressSecurityGroup/)).toEqual(['pl-66a5400f tcp 443-443', 'pl-6ea54007 tcp 443-443']);
});

it('given prefix lists are used as they are, without a lookup', () => {
  const { template } = network(() => ({ vpcEndpoints: true, dynamoDbPrefixListId: 'pl-66a5400f', s3PrefixListId: 'pl-6ea54007' }));
  expect(egressOf(template, /RelaySecurityGroup/)).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ DestinationPrefixListId: 'pl-66a5400f', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      expect.objectContaining({ DestinationPrefixListId: 'pl-6ea54007', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]),
  );
  expect(template.findResources('Custom::AWS')).toEqual({});
});

it('prefix lists not given are looked up at deploy time, by one function with one role and log group', () => {
  const { network: built, template } = network(() => ({ vpcEndpoints: true }));
  const names = Object.values(template.findResources('Custom::AWS')).map((lookup) => JSON.parse(lookup.Properties.Create).parameters.Filters[0].Values).sort();
  expect(names).toEqual([['com.amazonaws.eu-central-1.dynamodb'], ['com.amazonaws.eu-central-1.s3']]);
  expect(built.s3PrefixListLookup).toBeDefined();
  expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(1);
  expect(Object.keys(template.findResources('AWS::IAM::Role'))).toEqual([expect.stringMatching(/PrefixListLookupRole/)]);
  expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toEqual([expect.stringMatching(/PrefixListLookupLogs/)]);
});

it('only the S3 prefix list given: DynamoDB’s alone is looked up', () => {
  const { network: built, template } = network(() => ({ vpcEndpoints: true, s3PrefixListId: 'pl-6ea54007' }));
  expect(Object.values(template.findResources('Custom::AWS')).map((lookup) => JSON.parse(lookup.Properties.Create).parameters.Filters[0].Values)).toEqual([
    ['com.amazonaws.eu-central-1.dynamodb'],
  ]);
  expect(built.s3PrefixListLookup).toBeUndefined();
});

it('given security groups are used as they are; the endpoints accept HTTPS from them', () => {
  const { network: built, template } = network((stack) => ({
    securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'Given', 'sg-0123456789abcdef0', { mutable: false })],
    codeStreamCidrs: undefined,
    ingressInVpc: true,
    vpcEndpoints: true,
  }));
  expect(built.relaySecurityGroups.map((group) => group.securityGroupId)).toEqual(['sg-0123456789abcdef0']);
  expect(built.ingressSecurityGroups?.map((group) => group.securityGroupId)).toEqual(['sg-0123456789abcdef0']);
  expect(Object.keys(template.findResources('AWS::EC2::SecurityGroup'))).toEqual([expect.stringMatching(/EndpointSecurityGroup/)]);
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { SourceSecurityGroupId: 'sg-0123456789abcdef0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
  expect(template.findResources('AWS::EC2::SecurityGroupEgress')).toEqual({});
  expect(template.findResources('Custom::AWS')).toEqual({});
});

it('endpoints in subnets whose route tables are unknown are an error naming the subnets', () => {
  const stack = new Stack(new App(), 'Network');
  const { privateSubnetRouteTableIds: _, ...withoutRouteTables } = VPC;
  expect(
    () =>
      new RelayNetwork(stack, 'Network', {
        vpc: Vpc.fromVpcAttributes(stack, 'Vpc', withoutRouteTables),
        codeStreamCidrs: ['10.20.0.0/16'],
        codeStreamPort: 443,
        ingressInVpc: false,
        vpcEndpoints: true,
        kmsEndpoint: false,
        xrayEndpoint: false,
        logRetention: RetentionDays.ONE_MONTH,
      }),
  ).toThrow(/^vpcEndpoints needs the route table of every relay subnet.*; none is known for subnet-0123456789abcdef1, subnet-0123456789abcdef2 /);
});
