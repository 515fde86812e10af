import type { RecordedRequest } from './CodeStreamSimulator';

/** One line for a person watching: `POST /codestream/api/pipelines/…/executions → 202 execution 5f3…`. */
export function describeRequest(record: RecordedRequest): string {
  const outcome = record.status === undefined ? 'connection reset' : String(record.status);
  const fault = record.fault ? ` [fault: ${record.fault}]` : '';
  const execution = record.executionId ? ` execution ${record.executionId}` : '';
  const error = record.error ? ` (${record.error})` : '';
  return `${record.method} ${record.path} → ${outcome}${fault}${execution}${error}`;
}
