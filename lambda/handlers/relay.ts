import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processRecord } from '../relay/processRecord';
import type { RelayDependencies } from '../relay/RelayDependencies';
import { relayDependencies } from './relayDependencies';
import { type HandlerOptions, logger, metrics } from './observability';
import { tracing } from './tracing';

/**
 * The relay function: SQS batches in, partial batch responses out. Each record succeeds or fails
 * alone; a record sent back for a retry has its visibility timeout set already.
 */
export function createRelayHandler(dependencies: () => RelayDependencies, options: HandlerOptions = {}) {
  let built: RelayDependencies | undefined;
  const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const relay = (built ??= dependencies());
    // A processor per invocation: its state is one batch's, so concurrent invocations (local mode's
    // pollers) cannot report each other's records.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, (record: SQSRecord) => processRecord(record, () => context.getRemainingTimeInMillis(), relay), processor, {
      context,
      // Every record failing is still a partial response: their visibility timeouts are set.
      throwOnFullBatchFailure: false,
    });
  })
    .use(injectLambdaContext(logger))
    .use(tracing());
  return options.publishMetrics === false ? handler : handler.use(logMetrics(metrics));
}

export const handler = createRelayHandler(() => relayDependencies(process.env));
