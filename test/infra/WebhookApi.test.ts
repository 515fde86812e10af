import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { throttlingPerSource } from '../../infra/sourceThrottling';
import { WebhookApi, type WebhookApiProps } from '../../infra/WebhookApi';
import { acceptWebhook } from '../../lambda/ingress/acceptWebhook';
import { apiGatewayEvent } from '../support/apiGatewayEvent';
import { fakeIngressDependencies } from '../support/fakeIngressDependencies';
import { fixture } from '../support/webhookFixtures';

const TOTAL = { rateLimit: 50, burstLimit: 100 };
const SOURCES = ['github', 'gitlab'];

/** The API alone in a stack, in front of an inline function: no bundling. */
function webhookApi(props: Partial<WebhookApiProps> = {}): { template: Template; stack: Stack } {
  const stack = new Stack(new App(), 'Webhooks');
  const ingress = new LambdaFunction(stack, 'Ingress', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
  new WebhookApi(stack, 'Webhooks', {
    ingress,
    throttling: TOTAL,
    sourceThrottling: throttlingPerSource({ sources: SOURCES, stage: TOTAL, unknownSources: { rateLimit: 1, burstLimit: 5 } }),
    logRetention: RetentionDays.ONE_MONTH,
    cloudWatchRole: false,
    ...props,
  });
  return { template: Template.fromStack(stack), stack };
}

const { template } = webhookApi();

/** The stage's entry for a resource's methods, by its path (`/*`: the stage's own), as API Gateway writes it: `/~1hooks~1github`. */
function methodSetting(path: string, from = template): Record<string, unknown> | undefined {
  const stage = Object.values(from.findResources('AWS::ApiGateway::Stage'))[0];
  const settings = stage?.Properties.MethodSettings as { ResourcePath: string }[];
  const resourcePath = path === '/*' ? path : `/${path.replace(/\//g, '~1')}`;
  return settings.find((setting) => setting.ResourcePath === resourcePath);
}

/** The resources under /hooks, by path part, each with its POST method's properties. */
function hooks(from = template): Record<string, { RequestParameters?: unknown; Integration: unknown }> {
  const resources = from.findResources('AWS::ApiGateway::Resource');
  const [hooksId] = Object.entries(resources).find(([, resource]) => resource.Properties.PathPart === 'hooks') ?? [];
  const methods = Object.values(from.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } }));
  return Object.fromEntries(
    Object.entries(resources)
      .filter(([, resource]) => JSON.stringify(resource.Properties.ParentId) === JSON.stringify({ Ref: hooksId }))
      .map(([id, resource]) => [resource.Properties.PathPart, methods.find((method) => method.Properties.ResourceId.Ref === id)?.Properties]),
  );
}

/** Every rule acknowledged anywhere in the tree. */
const acknowledged = (root: IConstruct) =>
  JSON.stringify(root.node.findAll().flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)));

describe('throttling', () => {
  it('each configured source has a resource of its own, and {source} answers the other names', () => {
    expect(Object.keys(hooks()).sort()).toEqual(['github', 'gitlab', '{source}']);
  });

  it('each source’s method is throttled at its own limit, with the stage’s logging', () => {
    for (const source of SOURCES) {
      expect(methodSetting(`/hooks/${source}`)).toEqual({
        ResourcePath: `/~1hooks~1${source}`,
        HttpMethod: 'POST',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      });
    }
  });

  it('the catch-all for unknown names has its own small limit', () => {
    expect(methodSetting('/hooks/{source}')).toMatchObject({ HttpMethod: 'POST', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 5 });
  });

  it('the stage keeps the whole API’s limit', () => {
    expect(methodSetting('/*')).toMatchObject({ HttpMethod: '*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: 'ERROR', DataTraceEnabled: false });
  });

  it('the limits given are the ones set', () => {
    const sourceThrottling = { sources: { github: { rateLimit: 7, burstLimit: 9 }, gitlab: { rateLimit: 2, burstLimit: 3 } }, unknownSources: { rateLimit: 1, burstLimit: 1 } };
    const given = webhookApi({ sourceThrottling }).template;
    expect(methodSetting('/hooks/github', given)).toMatchObject({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 });
    expect(methodSetting('/hooks/gitlab', given)).toMatchObject({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 3 });
    expect(methodSetting('/hooks/{source}', given)).toMatchObject({ ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1 });
  });
});

describe('every resource, the same ingress', () => {
  it('one integration: the function, by Lambda proxy', () => {
    const integrations = Object.values(hooks()).map((method) => method.Integration);
    expect(integrations).toHaveLength(3);
    expect(integrations[0]).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', TimeoutInMillis: 29_000 });
    for (const integration of integrations) expect(integration).toEqual(integrations[0]);
  });

  it('only the catch-all has, and requires, the path parameter', () => {
    const methods = hooks();
    expect(methods['{source}']?.RequestParameters).toEqual({ 'method.request.path.source': true });
    for (const source of SOURCES) expect(methods[source]?.RequestParameters).toBeUndefined();
  });

  it('one permission lets the API invoke the function, however many sources', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((permission) => permission.Properties);
    expect(permissions).toHaveLength(1);
    expect(permissions[0]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(permissions[0]?.SourceArn)).toMatch(/"\/\*\/\*\/\*"\]\]\}$/);
  });

  // What API Gateway hands ingress on a source's own resource: the resource, and no path parameter.
  // Ingress must take the name from `resource` (lambda/ingress/acceptWebhook.ts).
  it('ingress takes the source’s name on its own resource, where there is no path parameter', async () => {
    expect(hooks().github?.RequestParameters).toBeUndefined();
    const proxied = apiGatewayEvent({ source: 'github', ...fixture('github/push.tag') });
    const event = { ...proxied, resource: '/hooks/github', pathParameters: null, requestContext: { ...proxied.requestContext, resourcePath: '/hooks/github' } };
    const ingress = fakeIngressDependencies();
    const answer = await acceptWebhook(event, ingress);
    expect({ statusCode: answer.statusCode, error: JSON.parse(answer.body).error }).toEqual({ statusCode: 202, error: undefined });
    expect(ingress.queue.sent.map((sent) => sent.message.source)).toEqual(['github']);
  });

  it('ingress still refuses a name that is no source, at the catch-all', async () => {
    const answer = await acceptWebhook(apiGatewayEvent({ source: 'gitea', ...fixture('github/push.tag') }), fakeIngressDependencies());
    expect({ statusCode: answer.statusCode, error: JSON.parse(answer.body).error }).toEqual({ statusCode: 404, error: 'unknown_source' });
  });
});

describe('the web ACL', () => {
  it('none by default, and cdk-nag’s WAF finding is acknowledged', () => {
    const { template: plain, stack } = webhookApi();
    expect(plain.findResources('AWS::WAFv2::WebACL')).toEqual({});
    expect(plain.findResources('AWS::WAFv2::WebACLAssociation')).toEqual({});
    expect(acknowledged(stack)).toContain('AwsSolutions-APIG3');
  });

  it('webAcl: a regional ACL that blocks an IP address over its rate, with metrics and samples, on the stage', () => {
    const { template: guarded, stack } = webhookApi({ webAcl: { requestsPer5Minutes: 2000 } });
    const visible = { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: Match.stringLikeRegexp('^[\\w-]+$') };
    guarded.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: visible,
      Rules: [
        {
          Name: 'RequestsPerIp',
          Priority: 0,
          Action: { Block: {} },
          Statement: { RateBasedStatement: { AggregateKeyType: 'IP', EvaluationWindowSec: 300, Limit: 2000 } },
          VisibilityConfig: visible,
        },
      ],
    });
    const [aclId] = Object.keys(guarded.findResources('AWS::WAFv2::WebACL'));
    const [stageId] = Object.keys(guarded.findResources('AWS::ApiGateway::Stage'));
    guarded.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([':apigateway:', '/stages/', { Ref: stageId }])] },
    });
    expect(acknowledged(stack)).not.toContain('AwsSolutions-APIG3');
  });

  it('webAclArn: that ACL on the stage, and none made', () => {
    const arn = 'arn:aws:wafv2:eu-central-1:111122223333:regional/webacl/company/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
    const { template: theirs, stack } = webhookApi({ webAclArn: arn });
    expect(theirs.findResources('AWS::WAFv2::WebACL')).toEqual({});
    theirs.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: arn });
    expect(acknowledged(stack)).not.toContain('AwsSolutions-APIG3');
  });

  it('a rate out of AWS WAF’s range is refused', () => {
    for (const requestsPer5Minutes of [9, 2_000_000_001, 100.5]) {
      expect(() => webhookApi({ webAcl: { requestsPer5Minutes } })).toThrow(
        `webAcl.requestsPer5Minutes must be a whole number from 10 to 2,000,000,000 (AWS WAF's range); got ${requestsPer5Minutes}`,
      );
    }
  });
});
