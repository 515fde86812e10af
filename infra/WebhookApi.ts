import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
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
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WebhookApiProps {
  ingress: IFunction;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
  logRetention: RetentionDays;
  /** A WAFv2 web ACL to associate with the API stage. @default none */
  webAclArn?: string;
  /** Encrypts the access log group. @default CloudWatch Logs' own encryption */
  encryptionKey?: IKey;
  /** A custom domain in front of the API, with its certificate. @default the execute-api URL only */
  domain?: { domainName: string; certificate: ICertificate; hostedZone?: IHostedZone };
  /** Create and set the account's API Gateway CloudWatch role (see WebhookRelayProps.apiGatewayCloudWatchRole). */
  cloudWatchRole: boolean;
}

/**
 * The REST API in front of ingress: `POST /hooks/{source}` only, throttled, access-logged (without
 * query strings, where tokens of providers that sign nothing travel), bodies passed as bytes so
 * signatures are checked over exactly what the provider sent; optionally on a custom domain (TLS 1.2
 * or later) with its alias record.
 */
export class WebhookApi extends Construct {
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;
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
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
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
    const method = this.api.root
      .addResource('hooks')
      .addResource('{source}')
      .addMethod('POST', new LambdaIntegration(props.ingress, { timeout: Duration.seconds(29) }), {
        requestParameters: { 'method.request.path.source': true },
        requestValidator: validator,
      });
    const authenticatedInIngress =
      'Webhook senders (GitHub, GitLab, registries…) can use neither IAM nor Cognito. Every delivery is authenticated ' +
      "by the ingress function against its source's secrets (HMAC of the raw body, or a token), compared in constant time, before anything is queued.";
    Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: authenticatedInIngress });
    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: authenticatedInIngress });
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
    if (props.webAclArn) {
      new CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: props.webAclArn });
    } else {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'A web ACL is the organisation’s choice (webAclArn prop). Without one the stage is throttled, accepts only POST /hooks/{source}, ' +
          'and refuses unauthenticated deliveries in the ingress function.',
      });
    }
  }

  /** The URL a provider posts to for a source: on the custom domain when there is one. */
  webhookUrl(source: string): string {
    return this.#domainName ? `https://${this.#domainName}/hooks/${source}` : `${this.api.url}hooks/${source}`;
  }
}
