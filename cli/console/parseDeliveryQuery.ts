import { DECISION_OUTCOMES, type DecisionOutcome } from '../../lambda/history/DeliveryRecord';
import type { DeliveryQuery } from '../history/DeliveryQuery';
import { HttpError } from './HttpError';

const PARAMETERS = ['source', 'status', 'rule', 'outcome', 'since', 'cursor', 'limit'] as const;

/**
 * `GET /api/deliveries`'s query string as a {@link DeliveryQuery}; an empty parameter is left out,
 * as a form sends one that is not filled in.
 * @throws HttpError 400 `bad_query`, naming the parameter, for an unknown, repeated or invalid one.
 */
export function parseDeliveryQuery(search: URLSearchParams): DeliveryQuery {
  const query: DeliveryQuery = {};
  for (const name of new Set(search.keys())) {
    if (!(PARAMETERS as readonly string[]).includes(name)) throw badQuery(`unknown parameter "${name}": use ${PARAMETERS.join(', ')}`);
    if (search.getAll(name).length > 1) throw badQuery(`parameter "${name}" is given more than once`);
  }
  const value = (name: (typeof PARAMETERS)[number]) => search.get(name) || undefined;
  const source = value('source');
  if (source !== undefined) query.source = source;
  const rule = value('rule');
  if (rule !== undefined) query.rule = rule;
  const cursor = value('cursor');
  if (cursor !== undefined) query.cursor = cursor;
  const status = value('status');
  if (status !== undefined) query.status = parseStatus(status);
  const outcome = value('outcome');
  if (outcome !== undefined) {
    if (!(DECISION_OUTCOMES as readonly string[]).includes(outcome)) throw badQuery(`parameter "outcome" must be one of ${DECISION_OUTCOMES.join(', ')}, not ${JSON.stringify(outcome)}`);
    query.outcome = outcome as DecisionOutcome;
  }
  const since = value('since');
  if (since !== undefined) {
    // ISO 8601 only: Date.parse takes other forms too, read differently by each engine.
    const time = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(since) ? Date.parse(since) : Number.NaN;
    if (Number.isNaN(time)) throw badQuery(`parameter "since" must be an ISO 8601 time such as 2026-11-28T12:00:00Z, not ${JSON.stringify(since)}`);
    query.since = new Date(time);
  }
  const limit = value('limit');
  if (limit !== undefined) {
    const count = /^\d{1,3}$/.test(limit) ? Number(limit) : 0;
    if (count < 1 || count > 500) throw badQuery(`parameter "limit" must be a whole number from 1 to 500, not ${JSON.stringify(limit)}`);
    query.limit = count;
  }
  return query;
}

/** `accepted` (2xx), `refused` (4xx, 5xx), or one HTTP status. */
function parseStatus(status: string): DeliveryQuery['status'] {
  if (status === 'accepted' || status === 'refused') return status;
  const code = /^[1-5]\d\d$/.test(status) ? Number(status) : undefined;
  if (code === undefined) throw badQuery(`parameter "status" must be accepted, refused or an HTTP status such as 401, not ${JSON.stringify(status)}`);
  return code;
}

function badQuery(message: string): HttpError {
  return new HttpError(400, 'bad_query', message);
}
