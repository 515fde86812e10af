import type { MiddlewareObj } from '@middy/core';

let tracer: { captureAWSv3Client<Client>(client: Client): Client } | undefined;
let loading: Promise<MiddlewareObj | undefined> | undefined;

/**
 * Powertools Tracer as middy middleware, loaded only when the stack turned tracing on
 * (POWERTOOLS_TRACE_ENABLED=true): X-Ray's SDK costs tens of milliseconds at a cold start, which
 * a function that does not trace should not pay. Once loaded, the tracer records the handler as a
 * segment, the Code Stream calls (it patches Node's http and https) and the clients {@link traced}
 * wraps.
 */
export function tracing(env: NodeJS.ProcessEnv = process.env): MiddlewareObj {
  const load = async (): Promise<MiddlewareObj | undefined> => {
    if (env.POWERTOOLS_TRACE_ENABLED !== 'true') return undefined;
    const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([import('@aws-lambda-powertools/tracer'), import('@aws-lambda-powertools/tracer/middleware')]);
    const loaded = new Tracer({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'codestream-relay' });
    tracer = loaded;
    return captureLambdaHandler(loaded, { captureResponse: false });
  };
  const middleware = () => (loading ??= load());
  return {
    before: async (request) => (await middleware())?.before?.(request),
    after: async (request) => (await middleware())?.after?.(request),
    onError: async (request) => (await middleware())?.onError?.(request),
  };
}

/** The AWS SDK client, recording its calls as subsegments when tracing is on; unchanged otherwise. */
export function traced<Client>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
