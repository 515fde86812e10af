import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../lambda/config/loadConfig';
import type { PipelineRef } from '../../lambda/codestream/types';
import { messageBody, parseRelayMessage } from '../../lambda/events/RelayMessage';
import type { DecidedDelivery, DeliveryDetails } from '../../lambda/history/DeliveryLog';
import { deliveryDetails } from '../../lambda/history/deliveryDetails';
import type { RuleDecision } from '../../lambda/history/DeliveryRecord';
import { DEFAULT_MAX_BODY_BYTES, type IngressDependencies, acceptWebhook } from '../../lambda/ingress/acceptWebhook';
import { parseBody } from '../../lambda/providers/parseBody';
import { messageEvents } from '../../lambda/relay/messageEvents';
import type { Delivery } from '../../lambda/rules/Delivery';
import type { RuleEngine } from '../../lambda/rules/RuleEngine';
import { FileSecretStore } from '../../local/FileSecretStore';
import { type IngressDelivery, loadDeliveries } from '../ingress/deliveries';
import { bundledDynamo } from '../ingress/bundledDynamo';
import type { InstantDynamo } from '../ingress/instantDynamo';
import { figure, machine, table } from '../ingress/markdown';
import { medianNanosecondsAsync } from '../ingress/measureAsync';
import { type Plan, median } from '../rules/measure';

/**
 * `npm run bench:relay [-- --quick]`: what the delivery log's writes cost the relay's CPU, for each
 * fixture delivery that ingress queues, beside the DynamoDB writes the relay already makes for
 * every rule it runs (the idempotency claim, an UpdateItem and the GetItem of a new key, and the
 * PutItem that marks the execution created), in the same run, through the same client:
 *
 * - **first write**: a record's first UpdateItem, which carries the delivery's own fields (headers,
 *   query, body, events, summary, the SQS message id: processRecord's `detailsOf`) with its first
 *   decisions (the first match's, created, or every explained rule's reason when none matched);
 * - **later write**: an UpdateItem of one decision alone (another rule's, a retry's outcome), for
 *   the deliveries a rule matched.
 *
 * Each delivery is the message ingress queued for the fixture, read back as processRecord reads it.
 * The client's requests are answered in the process (bench/ingress/instantDynamo.ts), and the
 * writes' code is bundled as the function's is (bench/ingress/bundledDynamo.ts): the round trips,
 * DynamoDB's time, are not measured. Prints Markdown, for docs/benchmarks.md. `--quick`
 * takes few short samples: a smoke run, not figures.
 */

const ROOT = path.join(__dirname, '../..');
const PLANS: Record<'full' | 'quick', Plan> = {
  full: { samples: 21, minSampleMs: 2, warmupMs: 20 },
  quick: { samples: 3, minSampleMs: 0.2, warmupMs: 1 },
};
/** What processRecord asks `explain` for when no rule matched: the reasons of the first 20 rules. */
const EXPLAINED_RULES = 20;
/** How many times the plan's warm-up all the writes get before the first is timed: 1 s in a full run. */
const WARMUP = 50;

const SILENT_LOGGER: IngressDependencies['logger'] = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Row {
  name: string;
  /** `created` for the first rule that matched, else `no_match` for every rule explained, in one write. */
  outcome: RuleDecision['outcome'];
  decisions: number;
  /** The UpdateItems' bodies, bytes. */
  firstBytes: number;
  laterBytes?: number;
  /** Median nanoseconds per call. */
  first: number;
  later?: number;
  idempotency: number;
}

/** A queued delivery as the relay reads it: what the log is told of it, and what the rules see of its first event. */
interface Queued {
  name: string;
  delivery: DecidedDelivery;
  details: DeliveryDetails;
  first: Delivery;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const plan = values.quick ? PLANS.quick : PLANS.full;
  const { config, engine } = loadConfig(path.join(ROOT, 'relay.config.yaml'));
  // Bundled as the function is (bench/ingress/bundledDynamo.ts): the writes are timed as Lambda runs them.
  const { DynamoDeliveryLog, IdempotencyStore, InstantDynamo } = await bundledDynamo();
  const dynamo = new InstantDynamo();
  const log = new DynamoDeliveryLog({ client: () => dynamo.client, tableName: 'bench' });
  const store = new IdempotencyStore({ client: dynamo.client, tableName: 'bench', leaseMs: 960_000 });
  const secrets = new FileSecretStore(path.join(ROOT, 'relay.secrets.local.json'));
  const queued = await queuedDeliveries(await loadDeliveries(path.join(ROOT, 'test/fixtures/webhooks'), config, secrets), config.sources, secrets);
  process.stderr.write(`relay: ${queued.length} queued deliveries…\n`);
  const cases = [];
  for (const { name, delivery, details, first } of queued) {
    const decisions = decisionsOf(first, engine);
    const [decision] = decisions;
    if (!decision) throw new Error(`${name}: no decision (the config has no rules?)`);
    const key = { source: delivery.source, deliveryId: delivery.deliveryId, rule: decision.rule };
    const operations: Record<string, () => Promise<void>> = {
      first: () => log.decided(delivery, decisions, details),
      idempotency: async () => {
        const claim = await store.claim(key, 'bench-message');
        if (claim.claimed) await store.markCreated(key, { executionId: 'bench-execution', attempts: 1, token: claim.token });
      },
    };
    if (decision.outcome === 'created') operations.later = () => log.decided(delivery, [decision]);
    cases.push({ name, decisions, operations, sizes: await checkRequests(name, operations, dynamo) });
  }
  // The SDK's code warmed up on every delivery first, so that the first deliveries timed are not its warm-up.
  const end = Date.now() + plan.warmupMs * WARMUP;
  while (Date.now() < end) for (const { operations } of cases) for (const write of Object.values(operations)) await write();
  const rows: Row[] = [];
  for (const { name, decisions, operations, sizes } of cases) {
    const times = await medianNanosecondsAsync(operations, plan);
    rows.push({
      name,
      outcome: decisions[0]?.outcome ?? 'no_match',
      decisions: decisions.length,
      firstBytes: sizes.first ?? NaN,
      laterBytes: sizes.later,
      first: times.first ?? NaN,
      later: times.later,
      idempotency: times.idempotency ?? NaN,
    });
  }
  console.log(report(rows, plan, values.quick));
}

/**
 * Each delivery as the relay receives it: the message ingress queued for it (a ping is answered
 * at ingress and never queued), read back as processRecord reads it, with the details it logs.
 */
async function queuedDeliveries(deliveries: readonly IngressDelivery[], sources: IngressDependencies['sources'], secrets: FileSecretStore): Promise<Queued[]> {
  let sent: string | undefined;
  const ingress: IngressDependencies = {
    sources,
    secrets,
    queue: {
      send: async (_message, json) => {
        sent = json;
      },
    },
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    logger: SILENT_LOGGER,
  };
  const queued: Queued[] = [];
  for (const [position, fixture] of deliveries.entries()) {
    sent = undefined;
    const answer = await acceptWebhook(fixture.event, ingress);
    if (answer.statusCode === 200) continue;
    if (answer.statusCode !== 202 || sent === undefined) throw new Error(`${fixture.name}: ingress answered ${answer.statusCode} ${answer.body}, and queued nothing`);
    const message = parseRelayMessage(sent);
    const bytes = messageBody(message);
    const request = { body: bytes, headers: message.headers, query: message.query };
    const body = parseBody(request);
    const events = messageEvents(message, request, body, sources);
    const [event] = events;
    if (!event) throw new Error(`${fixture.name}: the queued delivery has no event`);
    const messageId = `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`;
    queued.push({
      name: fixture.name,
      delivery: { source: message.source, deliveryId: message.deliveryId, receivedAt: message.receivedAt },
      details: deliveryDetails(message, messageId, bytes, events),
      first: { event, body, headers: message.headers, query: message.query },
    });
  }
  return queued;
}

/**
 * The decisions of the record's first write, as processRecord makes them for the first event: the
 * first match's, created by Code Stream, or when no rule matched, every explained rule's reason.
 */
function decisionsOf(delivery: Delivery, engine: RuleEngine): RuleDecision[] {
  const at = new Date().toISOString();
  const match = engine.match(delivery).find((found) => 'request' in found);
  if (match && 'request' in match) {
    const executionId = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
    return [
      {
        rule: match.rule,
        event: 0,
        outcome: 'created',
        pipeline: pipelineName(match.pipeline),
        request: match.request,
        executionId,
        executionLink: `https://vra.example.com/codestream/#/executions/${executionId}`,
        attempts: 1,
        at,
      },
    ];
  }
  return engine.explain(delivery, EXPLAINED_RULES).map((explained) => ({ rule: explained.rule, event: 0, outcome: 'no_match', reason: explained.reason ?? '', at }));
}

/**
 * That each log write is one signed UpdateItem and the idempotency writes three requests (a new
 * key's claim reads the key of earlier versions): the writes were marshalled and sent, not
 * skipped. Answers each log write's body size.
 */
async function checkRequests(name: string, operations: Record<string, () => Promise<void>>, dynamo: InstantDynamo): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const [operation, write] of Object.entries(operations)) {
    const sent = dynamo.sent;
    await write();
    const request = dynamo.last;
    const requests = dynamo.sent - sent;
    if (operation === 'idempotency') {
      if (requests !== 3) throw new Error(`${name}: the idempotency writes made ${requests} requests, not 3`);
      continue;
    }
    if (requests !== 1 || request?.headers['x-amz-target'] !== 'DynamoDB_20120810.UpdateItem' || !request.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      throw new Error(`${name}: the ${operation} write was not one signed UpdateItem`);
    }
    sizes[operation] = Number(request.headers['content-length']);
  }
  return sizes;
}

function report(rows: readonly Row[], plan: Plan, quick: boolean): string {
  const kinds = [
    { name: 'a rule matched: created', rows: rows.filter((row) => row.outcome === 'created') },
    { name: `no rule matched: reasons (${EXPLAINED_RULES} rules at most)`, rows: rows.filter((row) => row.outcome === 'no_match') },
  ];
  const medianOf = (selected: readonly Row[], value: (row: Row) => number | undefined) => {
    const values = selected.map(value).filter((found): found is number => found !== undefined);
    return values.length === 0 ? '—' : figure(median(values));
  };
  const later = (row: Row) => (row.later === undefined ? undefined : row.later / 1e3);
  return [
    '## Relay: delivery log',
    '',
    `- Command: \`npm run bench:relay${quick ? ' -- --quick' : ''}\``,
    `- Machine: ${machine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Timing: per delivery, the median of ${plan.samples} interleaved samples of at least ${plan.minSampleMs} ms each, after ${plan.warmupMs} ms of warm-up (and ${plan.warmupMs * WARMUP} ms of every delivery's writes before the first).`,
    '',
    '### Summary (medians across the deliveries)',
    '',
    table(
      ['first decisions', 'deliveries', 'first write KiB', 'first write µs', 'later write µs', 'idempotency µs', 'first/idempotency', 'later/idempotency'],
      [...kinds, { name: 'all', rows }].map((kind) => [
        kind.name,
        String(kind.rows.length),
        medianOf(kind.rows, (row) => row.firstBytes / 1024),
        medianOf(kind.rows, (row) => row.first / 1e3),
        medianOf(kind.rows, later),
        medianOf(kind.rows, (row) => row.idempotency / 1e3),
        medianOf(kind.rows, (row) => row.first / row.idempotency),
        medianOf(kind.rows, (row) => (row.later === undefined ? undefined : row.later / row.idempotency)),
      ]),
    ),
    '',
    '### Per delivery',
    '',
    table(
      ['fixture', 'outcome', 'decisions', 'first write bytes', 'first write µs', 'later write bytes', 'later write µs', 'idempotency µs', 'first/idempotency', 'later/idempotency'],
      rows.map((row) => [
        row.name,
        row.outcome,
        String(row.decisions),
        row.firstBytes.toLocaleString('en-US'),
        figure(row.first / 1e3),
        row.laterBytes === undefined ? '—' : row.laterBytes.toLocaleString('en-US'),
        row.later === undefined ? '—' : figure(row.later / 1e3),
        figure(row.idempotency / 1e3),
        figure(row.first / row.idempotency),
        row.later === undefined ? '—' : figure(row.later / row.idempotency),
      ]),
    ),
  ].join('\n');
}

function pipelineName(pipeline: PipelineRef): string {
  return 'id' in pipeline ? `id:${pipeline.id}` : `name:${pipeline.project}/${pipeline.name}`;
}

void main();
