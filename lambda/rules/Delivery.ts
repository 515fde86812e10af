import type { CanonicalEvent } from '../events/CanonicalEvent';

/** What rules see of one event: the canonical event, and the raw delivery it came from. */
export interface Delivery {
  event: CanonicalEvent;
  /** The parsed body. */
  body: unknown;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
}
