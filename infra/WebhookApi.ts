import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  type MethodDeploymentOptions,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGateway } from 'aws-cdk-lib/aws-route53-targets';
import { type CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { RateLimitWebAcl, type RateLimitWebAclProps } from './RateLimitWebAcl';
import type { SourceThrottling, ThrottleLimits } from './sourceThrottling';

export interface WebhookApiProps {
  ingress: IFunction;
  /** The stage's limit, which the others add up to no more than. */
  throttling: ThrottleLimits;
  /** Each configured source's limit (a resource of its own), and the unknown names' (`{source}`). */
  sourceThrottling: SourceThrottling;
  logRetention: RetentionDays;
  /** A WAFv2 web ACL to associate with the API stage. @default none */
  webAclArn?: string;
  /** Make a web ACL with a per-IP rate rule and associate it instead. @default none */
  webAcl?: RateLimitWebAclProps;
  /** Encrypts the access log group. @default CloudWatch Logs' own encryption */
  encryptionKey?: IKey;
  /** A custom domain in front of the API, with its certificate. @default the execute-api URL only */
  domain?: { domainName: string; certificate: ICertificate; hostedZone?: IHostedZone };
  /** Create and set the account's API Gateway CloudWatch role (see WebhookRelayProps.apiGatewayCloudWatchRole). */
  cloudWatchRole: boolean;
}

/**
 * The REST API in front of ingress: `POST /hooks/{source}` only, access-logged (without query
 * strings, where tokens of providers that sign nothing travel), bodies passed as bytes so
 * signatures are checked over exactly what the provider sent; optionally on a custom domain (TLS 1.2
 * or later) with its alias record, and behind a web ACL.
 *
 * Each configured source has a resource of its own, `/hooks/<source>`, throttled on its own: a
 * flood on one source, signed or not, uses up only that source's limit. `/hooks/{source}` answers
 * the other names (ingress refuses them, 404) under a small limit of its own. Every resource has
 * the same integration; on a source's own there is no path parameter, and ingress takes the name
 * from the resource (`event.resource`, `/hooks/<source>`).
 */
export class WebhookApi extends Construct {
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;
  /** The web ACL made with `webAcl`. */
  readonly webAcl?: CfnWebACL;
  /** The alias of the custom domain, when given a hosted zone. */
  readonly aliasRecord?: ARecord;
  readonly #domainName?: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.#domainName = props.domain?.domainName;
    const sources = Object.keys(props.sourceThrottling.sources);
    // Each method's entry says all the stage's does: none depends on how API Gateway fills in what an entry leaves out.
    const methodOptions = (limits: ThrottleLimits): MethodDeploymentOptions => ({
      throttlingRateLimit: limits.rateLimit,
      throttlingBurstLimit: limits.burstLimit,
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'Webhooks in: POST /hooks/{source}',
      endpointTypes: [EndpointType.REGIONAL],
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: props.cloudWatchRole,
      domainName: props.domain && {
        domainName: props.domain.domainName,
        certificate: props.domain.certificate,
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
      },
      deployOptions: {
        // The stage's own limit is the default of a method without one (there is none), not a cap on their sum.
        ...methodOptions(props.throttling),
        methodOptions: Object.fromEntries([
          ...Object.entries(props.sourceThrottling.sources).map(([source, limits]) => [`/hooks/${source}/POST`, methodOptions(limits)]),
          ['/hooks/{source}/POST', methodOptions(props.sourceThrottling.unknownSources)],
        ]),
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            resource: '$context.resourcePath',
            source: '$context.path',
            status: '$context.status',
            bytes: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            error: '$context.error.message',
          }),
        ),
      },
    });
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    // One permission for every method: one per method would grow the function's policy (20 KB at most) with each source.
    const integration = new LambdaIntegration(props.ingress, { timeout: Duration.seconds(29), scopePermissionToMethod: false });
    const hooks = this.api.root.addResource('hooks');
    const post = (resource: string, requestParameters?: Record<string, boolean>): Method =>
      hooks.addResource(resource).addMethod('POST', integration, { requestParameters, requestValidator: validator });
    const methods = [...sources.map((source) => post(source)), post('{source}', { 'method.request.path.source': true })];
    const authenticatedInIngress =
      'Webhook senders (GitHub, GitLab, registries…) can use neither IAM nor Cognito. Every delivery is authenticated ' +
      "by the ingress function against its source's secrets (HMAC of the raw body, or a token), compared in constant time, before anything is queued.";
    for (const method of methods) {
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: authenticatedInIngress });
      Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: authenticatedInIngress });
    }
    if (props.cloudWatchRole) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role API Gateway needs to write execution logs to CloudWatch Logs; AmazonAPIGatewayPushToCloudWatchLogs grants only log writes.',
      });
    }
    if (props.domain?.hostedZone) {
      this.aliasRecord = new ARecord(this, 'AliasRecord', {
        zone: props.domain.hostedZone,
        recordName: props.domain.domainName,
        target: RecordTarget.fromAlias(new ApiGateway(this.api)),
      });
    }
    if (props.webAcl) this.webAcl = new RateLimitWebAcl(this, 'RateLimit', props.webAcl).webAcl;
    const webAclArn = this.webAcl?.attrArn ?? props.webAclArn;
    if (webAclArn) {
      new CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.api.deploymentStage.stageArn, webAclArn });
    } else {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'A web ACL costs money and is the organisation’s choice (webAcl or webAclArn props). Without one every source is throttled on its own, ' +
          'the stage accepts only POST /hooks/…, and the ingress function refuses unauthenticated deliveries.',
      });
    }
  }

  /** The URL a provider posts to for a source: on the custom domain when there is one. */
  webhookUrl(source: string): string {
    return this.#domainName ? `https://${this.#domainName}/hooks/${source}` : `${this.api.url}hooks/${source}`;
  }
}
