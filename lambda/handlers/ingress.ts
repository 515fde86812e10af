import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type IngressDependencies, acceptWebhook } from '../ingress/acceptWebhook';
import { ingressDependencies } from './ingressDependencies';
import { type HandlerOptions, logger, metrics } from './observability';
import { tracing } from './tracing';

/** The ingress function around its dependencies, built once per container on first use. */
export function createIngressHandler(dependencies: () => IngressDependencies, options: HandlerOptions = {}) {
  let built: IngressDependencies | undefined;
  const handler = middy(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => acceptWebhook(event, (built ??= dependencies())))
    .use(injectLambdaContext(logger))
    .use(tracing());
  return options.publishMetrics === false ? handler : handler.use(logMetrics(metrics));
}

export const handler = createIngressHandler(() => ingressDependencies(process.env));
