import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics namespace for the relay's functions; level and namespace from the environment. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'codestream-relay' });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CodeStreamRelay',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'codestream-relay',
});

export interface HandlerOptions {
  /** Publish CloudWatch metrics (EMF) after each invocation; local mode does not. @default true */
  publishMetrics?: boolean;
}
