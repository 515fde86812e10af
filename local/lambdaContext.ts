import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface LambdaContextOptions {
  functionName: string;
  /** The function's timeout: getRemainingTimeInMillis() counts down from it, from now. */
  timeoutMs: number;
  /** @default 128, Lambda's */
  memoryLimitInMB?: number;
  /** The region and account of the function's ARN. @default the local queues' (us-east-1, 123456789012) */
  region?: string;
  account?: string;
  /** One per warm execution environment. @default 'local' */
  logStreamName?: string;
}

/**
 * The context Lambda passes a handler for one invocation, with a new request id and a deadline
 * `timeoutMs` from now. The handlers return promises: callback-style completion throws.
 *
 * @example
 * const result = await ingressHandler(event, lambdaContext({ functionName: 'ingress', timeoutMs: 29_000 }));
 */
export function lambdaContext(options: LambdaContextOptions): Context {
  const { functionName } = options;
  const deadline = Date.now() + options.timeoutMs;
  const callbackStyle = (): never => {
    throw new Error('the handler is awaited: callback-style completion is not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region ?? 'us-east-1'}:${options.account ?? '123456789012'}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: options.logStreamName ?? 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: callbackStyle,
    fail: callbackStyle,
    succeed: callbackStyle,
  };
}
