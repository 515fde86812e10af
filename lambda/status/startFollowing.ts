import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { StatusReporting } from './CommitStatus';
import type { CanonicalEvent } from '../events/CanonicalEvent';
import type { DecidedDelivery } from '../history/DeliveryLog';
import { type FollowDependencies, recordReport, runningDescription } from './followExecution';
import { statusTargetOf } from './statusTarget';

/** An execution a rule with `report` just started. */
export interface Started {
  delivery: DecidedDelivery;
  event: CanonicalEvent;
  /** The event's index in the delivery. */
  eventIndex: number;
  rule: string;
  context: string;
  /** The pipeline as the status names it: `demo/build`, or its id. */
  pipeline: string;
  executionId?: string;
  executionLink?: string;
}

/**
 * Starts following an execution: queues its first follow message, at once, which posts `pending`
 * on the commit and then watches the execution (followExecution.ts). An execution that cannot be
 * reported (its source has no `report`, the event names no commit, Code Stream gave no id or link)
 * is logged and recorded as not reported. Never throws: reporting never stands in a delivery's way.
 */
export async function startFollowing(
  started: Started,
  reporting: StatusReporting | undefined,
  dependencies: Partial<Pick<FollowDependencies, 'reporting'>> & Pick<FollowDependencies, 'deliveries' | 'logger' | 'metrics' | 'now'>,
): Promise<void> {
  const { logger } = dependencies;
  const context = { deliveryId: started.delivery.deliveryId, source: started.delivery.source, rule: started.rule, statusContext: started.context };
  if (!dependencies.reporting) return;
  const unreported = async (reason: string) => {
    logger.warn('The execution is not reported on the commit', { ...context, reason });
    await record(started, reason, dependencies);
  };
  const { executionId, executionLink } = started;
  if (!reporting) return unreported(`the source ${started.delivery.source} has no report block`);
  if (!executionId || !executionLink) return unreported('Code Stream gave no execution id and link to follow');
  const target = statusTargetOf(started.event, reporting);
  if ('unreportable' in target) return unreported(target.unreportable);
  try {
    await dependencies.reporting.follows.send(
      {
        version: 1,
        follow: {
          source: started.delivery.source,
          deliveryId: started.delivery.deliveryId,
          receivedAt: started.delivery.receivedAt,
          rule: started.rule,
          event: started.eventIndex,
          executionId,
          executionLink,
          pipeline: started.pipeline,
          context: started.context,
          target,
          createdAt: (dependencies.now ?? (() => new Date()))().toISOString(),
          checks: 0,
          pending: { state: 'pending', description: runningDescription(started.pipeline), attempts: 0 },
        },
      },
      0,
    );
  } catch (error) {
    const failure = `the follow message could not be queued: ${error instanceof Error ? error.message : String(error)}`;
    logger.error('Commit status not posted', { ...context, reason: failure });
    dependencies.metrics?.addMetric('statusNotPosted', MetricUnit.Count, 1);
    await record(started, failure, dependencies);
  }
}

/** The reason there will be no status, in the delivery log beside the rule's decision. */
async function record(started: Started, reason: string, dependencies: Pick<FollowDependencies, 'deliveries' | 'logger' | 'metrics' | 'now'>): Promise<void> {
  const decision = { ...started.delivery, event: started.eventIndex, rule: started.rule };
  await recordReport(decision, { context: started.context, state: 'pending', description: '', posted: false, reason, attempts: 0 }, dependencies);
}
