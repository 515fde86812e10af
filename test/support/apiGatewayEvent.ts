import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ApiGatewayEventOptions {
  /** The `{source}` of `/hooks/{source}`. */
  source: string;
  /** The body's bytes (a string as UTF-8). @default none */
  body?: Buffer | string;
  /** As the sender wrote them: API Gateway keeps their case. */
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /**
   * Whether API Gateway hands the body over base64-encoded: the stack declares every media type
   * binary (`binaryMediaTypes: ['*\/*']` in infra/WebhookApi.ts), so it always does there.
   * @default true
   */
  base64?: boolean;
  /** @default 'POST' */
  method?: string;
}

/**
 * The event API Gateway's REST API passes the ingress function for a request to
 * `{method} /hooks/{source}` through its `prod` stage (a Lambda proxy integration).
 *
 * @example
 * const answer = await acceptWebhook(apiGatewayEvent({ source: 'github', ...fixture('github/push.tag') }), dependencies);
 */
export function apiGatewayEvent(options: ApiGatewayEventOptions): APIGatewayProxyEvent {
  const method = options.method ?? 'POST';
  const headers = options.headers ?? {};
  const query = options.query && Object.keys(options.query).length > 0 ? options.query : null;
  const path = `/hooks/${options.source}`;
  const body = options.body === undefined ? null : Buffer.from(options.body).toString(options.base64 === false ? 'utf8' : 'base64');
  const userAgent = Object.entries(headers).find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? null;
  return {
    httpMethod: method,
    path,
    resource: '/hooks/{source}',
    pathParameters: { source: options.source },
    headers,
    multiValueHeaders: multiValued(headers),
    queryStringParameters: query,
    multiValueQueryStringParameters: query && multiValued(query),
    stageVariables: null,
    body,
    isBase64Encoded: body !== null && options.base64 !== false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      authorizer: undefined,
      domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '192.0.2.10',
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/prod${path}`,
      stage: 'prod',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'h00k5r',
      resourcePath: '/hooks/{source}',
    },
  };
}

function multiValued(values: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, [value]]));
}
