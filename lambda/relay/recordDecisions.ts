import type { DecidedDelivery, DeliveryDetails } from '../history/DeliveryLog';
import type { RuleDecision } from '../history/DeliveryRecord';
import { logWriteFailure } from '../history/logWriteFailure';
import type { RelayDependencies } from './RelayDependencies';

/** The delivery a record's decisions belong to; `details` until the log has them (the record's first write). */
export interface LoggedDelivery {
  delivery: DecidedDelivery;
  details?: DeliveryDetails;
}

/**
 * Writes decisions of a delivery to the delivery log, where there is one: the first write of a
 * record also carries the delivery's own fields. A failed write is logged and counted: the log
 * describes the work, it never stops it.
 */
export async function recordDecisions(dependencies: RelayDependencies, logged: LoggedDelivery, decisions: readonly RuleDecision[]): Promise<void> {
  if (!dependencies.deliveries || (decisions.length === 0 && logged.details === undefined)) return;
  try {
    await dependencies.deliveries.decided(logged.delivery, decisions, logged.details);
    logged.details = undefined;
  } catch (error) {
    const { source, deliveryId } = logged.delivery;
    logWriteFailure(dependencies, { source, deliveryId, rules: decisions.map((decision) => decision.rule) }, error);
  }
}
