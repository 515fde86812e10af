import path from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import { type DeadLetter, deadLetterOf } from '../../cli/DeadLetter';
import { type EventDecisions, decide } from '../../cli/printDecisions';
import { pipelineName } from '../../console/app/compare';
import { loadConfig } from '../../lambda/config/loadConfig';
import type { DeliveryRecord, RuleDecision } from '../../lambda/history/DeliveryRecord';
import { summarizeDelivery } from '../../lambda/history/summarizeDelivery';
import { DEAD_LETTER_ATTRIBUTES } from '../../lambda/relay/DeadLetterQueue';
import { queuedMessage } from './queuedMessage';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from './webhookFixtures';

/** The example config: the rules the samples' decisions come from, and that a replay runs. */
export const SAMPLE_CONFIG = path.join(__dirname, '../../relay.config.yaml');

/** Code Stream as local mode's simulator answers: execution links are absolute URLs under it. */
const CODESTREAM = 'http://127.0.0.1:3001';

/** The pipeline `build-code-changes` ran before it was recreated under the id the example config now has. */
export const STALE_PIPELINE = '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a10';

/** Values a sender chooses, shaped to run script if a page ever parsed them as HTML. */
export const HOSTILE = {
  branch: '<img src=x onerror=window.__xss=1>',
  commitMessage: '<script>window.__xss=1</script> fix: escape <b>everything</b>',
};

export interface ConsoleSamples {
  /** The delivery log, newest first. */
  deliveries: DeliveryRecord[];
  /** The dead-letter queue, oldest first: one record per failed rule, as the relay writes them. */
  deadLetters: DeadLetter[];
  /** The ids of the samples, for tests to find them. */
  ids: { pushToMain: string; hostile: string; refused: string; gitlab: string };
}

/**
 * Realistic contents for the console, from real webhook fixtures run through ingress and the
 * example config's rules: a push to main that created its executions, a push whose branch name
 * and commit message are HTML (its `build-code-changes` dead-lettered: Code Stream answered 404 for
 * {@link STALE_PIPELINE}, since replaced in the config), a GitLab push, and a refused request. Times are
 * minutes before `now`.
 */
export async function consoleSamples(now = new Date()): Promise<ConsoleSamples> {
  const { engine } = loadConfig(SAMPLE_CONFIG);
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();

  const main = await accepted('github', withHeaders(mainPush(), { 'x-github-delivery': '72d3a1f0-5c1e-11f1-8a4c-6b2f0e9d4c31' }), at(3));
  const hostile = await accepted('github', hostilePush(), at(9));
  const gitlab = await accepted('gitlab', fixture('gitlab/push'), at(27));

  main.record.decisions = recorded(decide(engine, main.deliveries), at(3), () => ({ outcome: 'created' }));
  hostile.record.decisions = recorded(decide(engine, hostile.deliveries), at(9), (rule) =>
    rule === 'build-code-changes' ? { outcome: 'dead_lettered', status: 404, pipeline: `id:${STALE_PIPELINE}`, reason: `Code Stream answered 404: pipeline ${STALE_PIPELINE} not found` } : { outcome: 'created' },
  );
  gitlab.record.decisions = recorded(decide(engine, gitlab.deliveries), at(27), () => ({ outcome: 'created' }));
  const refused: DeliveryRecord = {
    id: 'refused:5d0c7a9e-93b1-4c2e-b1f4-0a6e2c8d7f15',
    source: 'harbor',
    provider: 'harbor',
    receivedAt: at(41),
    status: 401,
    error: 'invalid_signature',
    message: 'the Authorization header matches none of the source\'s secrets',
    bodyBytes: 1184,
    senderIp: '10.20.4.17',
    userAgent: 'Harbor-Webhook/2.11',
  };
  const deliveries = [main.record, hostile.record, gitlab.record, refused].map(withIndexFields);

  const failed = hostile.record.decisions.find((decision) => decision.outcome === 'dead_lettered') as RuleDecision;
  const deadLetter = deadLetterOf({
    MessageId: '0f6e4b1c-2a7d-4e58-9c3b-5d8a1e7f2b64',
    ReceiptHandle: 'receipt-1',
    Body: hostile.body,
    Attributes: { SentTimestamp: String(Date.parse(at(8))) },
    MessageAttributes: attributes({
      [DEAD_LETTER_ATTRIBUTES.deliveryId]: hostile.record.deliveryId ?? '',
      [DEAD_LETTER_ATTRIBUTES.outcome]: 'notFound',
      [DEAD_LETTER_ATTRIBUTES.status]: '404',
      [DEAD_LETTER_ATTRIBUTES.reason]: failed.reason ?? '',
      [DEAD_LETTER_ATTRIBUTES.snippet]: `{"message":"Pipeline ${STALE_PIPELINE} not found"}`,
      [DEAD_LETTER_ATTRIBUTES.rule]: failed.rule,
      [DEAD_LETTER_ATTRIBUTES.pipeline]: `id:${STALE_PIPELINE}`,
      [DEAD_LETTER_ATTRIBUTES.attempts]: '1',
      [DEAD_LETTER_ATTRIBUTES.lastAttemptAt]: at(8),
    }),
  } satisfies Message) as DeadLetter;

  return {
    deliveries,
    deadLetters: [deadLetter],
    ids: { pushToMain: main.record.id, hostile: hostile.record.id, refused: refused.id, gitlab: gitlab.record.id },
  };
}

/** A delivery ingress accepted: its log record (decisions to come), the body it queued, and its events for the rules. */
async function accepted(source: string, request: Parameters<typeof queuedMessage>[1], receivedAt: string) {
  const { message, body, events } = await queuedMessage(source, request);
  const record: DeliveryRecord = {
    id: `${source}/${message.deliveryId}`,
    source,
    provider: message.provider,
    deliveryId: message.deliveryId,
    receivedAt,
    status: 202,
    bodyBytes: request.body.length,
    senderIp: '140.82.115.12',
    userAgent: request.headers['user-agent'],
    eventKind: message.eventKind,
    summary: summarizeDelivery(events),
    headers: message.headers,
    query: message.query,
    events,
    body: request.body.toString('utf8'),
    receipts: 1,
  };
  const deliveries = events.map((event) => ({ event, body: JSON.parse(request.body.toString('utf8')) as Record<string, unknown>, headers: message.headers, query: message.query }));
  return { record, body, deliveries };
}

/** The fixture's push to master, made a push to main. */
function mainPush() {
  const body = fixtureJson('github/push.branch-created');
  body.ref = 'refs/heads/main';
  return resigned(body);
}

/** A push whose branch name and commit message are HTML. */
function hostilePush() {
  const body = fixtureJson('github/push.branch-created');
  body.ref = `refs/heads/${HOSTILE.branch}`;
  body.head_commit = { ...(body.head_commit as object), message: HOSTILE.commitMessage };
  return withHeaders(resigned(body), { 'x-github-delivery': 'b41e0c55-5c1e-11f1-9d0e-1f3a7c2b8e90' });
}

function resigned(body: Record<string, unknown>) {
  return signed(fixture('github/push.branch-created'), Buffer.from(JSON.stringify(body)), TEST_SECRET, { header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' });
}

/** The decisions the relay would have logged: misses with their reason, matches as `outcome` says. */
function recorded(decided: EventDecisions[], at: string, outcome: (rule: string) => Partial<RuleDecision> & Pick<RuleDecision, 'outcome'>): RuleDecision[] {
  return decided.flatMap(({ decisions }, event) =>
    decisions.map((decision, index): RuleDecision => {
      if (!decision.matched) return { rule: decision.rule, event, outcome: 'no_match', reason: decision.reason ?? undefined, at };
      const pipeline = pipelineName(decision.pipeline);
      const chosen = outcome(decision.rule);
      const executionId = `e${(index + 1).toString(16).padStart(3, '0')}c9d2-4b7a-4f1e-8c3d-${at.replace(/\D/g, '').slice(0, 12)}`;
      const created = chosen.outcome === 'created' ? { status: 202, executionId, executionLink: `${CODESTREAM}/codestream/api/executions/${executionId}` } : {};
      return { rule: decision.rule, event, pipeline, request: decision.request ?? undefined, attempts: 1, at, ...created, ...chosen };
    }),
  );
}

/** The fields a list filters on, from the decisions. */
function withIndexFields(record: DeliveryRecord): DeliveryRecord {
  if (record.decisions === undefined) return record;
  const matched = record.decisions.filter((decision) => decision.outcome !== 'no_match');
  return { ...record, outcomes: [...new Set(record.decisions.map((decision) => decision.outcome))], rules: [...new Set(matched.map((decision) => decision.rule))] };
}

function attributes(values: Record<string, string>): Message['MessageAttributes'] {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}
