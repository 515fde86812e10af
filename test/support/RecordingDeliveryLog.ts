import type { AnsweredDelivery, DecidedDelivery, DeliveryDetails, DeliveryLog, RefusedDelivery } from '../../lambda/history/DeliveryLog';
import type { RuleDecision, StatusReport } from '../../lambda/history/DeliveryRecord';

/** The delivery log's writes, kept in order; or failing every write with `failure`. */
export class RecordingDeliveryLog implements DeliveryLog {
  readonly answers: AnsweredDelivery[] = [];
  readonly refusals: RefusedDelivery[] = [];
  readonly decisions: { delivery: DecidedDelivery; decisions: RuleDecision[]; details?: DeliveryDetails }[] = [];
  readonly reports: { delivery: DecidedDelivery; decision: { event: number; rule: string }; report: StatusReport }[] = [];

  constructor(private readonly failure?: Error) {}

  async answered(delivery: AnsweredDelivery): Promise<void> {
    if (this.failure) throw this.failure;
    this.answers.push(structuredClone(delivery));
  }

  async refused(request: RefusedDelivery): Promise<void> {
    if (this.failure) throw this.failure;
    this.refusals.push(structuredClone(request));
  }

  async decided(delivery: DecidedDelivery, decisions: readonly RuleDecision[], details?: DeliveryDetails): Promise<void> {
    if (this.failure) throw this.failure;
    this.decisions.push({ delivery: structuredClone(delivery), decisions: structuredClone([...decisions]), details: structuredClone(details) });
  }

  async reported(delivery: DecidedDelivery, decision: { event: number; rule: string }, report: StatusReport): Promise<void> {
    if (this.failure) throw this.failure;
    this.reports.push(structuredClone({ delivery, decision, report }));
  }

  /** Every write as JSON text, for checks that a value appears in none. */
  texts(): string[] {
    return [...this.answers, ...this.refusals, ...this.decisions, ...this.reports].map((write) => JSON.stringify(write));
  }
}
