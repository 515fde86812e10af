import { createHmac } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BODY_BYTES, type IngressDependencies, acceptWebhook } from '../../lambda/ingress/acceptWebhook';
import { loadConfig } from '../../lambda/config/loadConfig';
import { FileSecretStore } from '../../local/FileSecretStore';
import { apiGatewayEvent } from '../../test/support/apiGatewayEvent';
import { type Plan, median } from '../rules/measure';
import { type IngressDelivery, loadDeliveries } from './deliveries';
import { bundledDynamo } from './bundledDynamo';
import type { InstantDynamo } from './instantDynamo';
import { figure, machine, table } from './markdown';
import { medianNanosecondsAsync } from './measureAsync';
import { octokitReceiver } from './octokitBaseline';

/**
 * `npm run bench:ingress [-- --quick]`: the median time of the ingress function's handler,
 * `acceptWebhook`, for each fixture delivery, beside the floor of any webhook receiver in the same
 * run (HMAC-SHA256 of the body with the source's secret, and one JSON.parse of it) and, for GitHub,
 * beside @octokit/webhooks' verify-and-receive. "ingress + log" is the same handler with the
 * delivery log (lambda/history) configured as deployed, through a DynamoDB client whose requests
 * are answered in the process (./instantDynamo.ts), the log's code bundled as the function's is
 * (./bundledDynamo.ts). Ingress writes the log only for a refusal (a PutItem) and a ping (an
 * UpdateItem): the benchmark checks that an accepted delivery makes no DynamoDB request, times it
 * with the log beside without, and times one refusal (a GitHub push with a wrong signature, 401)
 * with and without the log, whose write it carries. Prints Markdown, for docs/benchmarks.md.
 * `--quick` takes few short samples: a smoke run, not figures.
 */

const ROOT = path.join(__dirname, '../..');
const PLANS: Record<'full' | 'quick', Plan> = {
  full: { samples: 21, minSampleMs: 2, warmupMs: 20 },
  quick: { samples: 3, minSampleMs: 0.2, warmupMs: 1 },
};

/** Lambda's logger writes a line per delivery to CloudWatch; that is the runtime's time, not the handler's. */
const SILENT_LOGGER: IngressDependencies['logger'] = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

interface Row {
  delivery: IngressDelivery;
  /** Median nanoseconds per call. */
  floor: number;
  ingress: number;
  /** Ingress with the delivery log configured, for an accepted delivery (no write); a ping's is timed with the refusal. */
  logged?: number;
  /** 202, or 200 for a ping (which ingress answers itself, and logs). */
  status: number;
  /** GitHub deliveries only. */
  octokit?: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const plan = values.quick ? PLANS.quick : PLANS.full;
  const { config } = loadConfig(path.join(ROOT, 'relay.config.yaml'));
  // Local mode's store keeps the file's values in memory after the first read, as the Secrets
  // Manager store keeps them once its cache is warm: a secret costs a resolved promise.
  const secrets = new FileSecretStore(path.join(ROOT, 'relay.secrets.local.json'));
  const dependencies: IngressDependencies = {
    sources: config.sources,
    secrets,
    // Sending to SQS is a network call whose time is the queue's, not ingress's: the message is dropped.
    queue: { send: async () => undefined },
    // The deployed default; no fixture comes near it, and the limit changes nothing in the work.
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    logger: SILENT_LOGGER,
  };
  // The log as deployed, but answered in the process: what it costs the handler of its own is
  // the CPU timed here (in AWS a write's round trip would come on top, for the writes it makes).
  // Bundled as the function is (./bundledDynamo.ts): the log's writes are timed as Lambda runs them.
  const { DynamoDeliveryLog, InstantDynamo } = await bundledDynamo();
  const dynamo = new InstantDynamo();
  const withLog: IngressDependencies = { ...dependencies, deliveries: new DynamoDeliveryLog({ client: () => dynamo.client, tableName: 'bench' }) };
  const deliveries = await loadDeliveries(path.join(ROOT, 'test/fixtures/webhooks'), config, secrets);
  process.stderr.write(`ingress: ${deliveries.length} deliveries…\n`);
  const rows: Row[] = [];
  for (const delivery of deliveries) {
    // Only an accepted delivery has done the whole work: a refusal would be timed as a shortcut.
    const answer = await acceptWebhook(delivery.event, dependencies);
    if (answer.statusCode !== 202 && answer.statusCode !== 200) throw new Error(`${delivery.name}: ingress answered ${answer.statusCode} ${answer.body}`);
    await checkLogWrites(delivery, answer.statusCode, withLog, dynamo);
    const operations: Record<string, () => unknown> = {
      floor: () => {
        createHmac('sha256', delivery.secret).update(delivery.bytes).digest();
        return JSON.parse(delivery.text);
      },
      ingress: () => acceptWebhook(delivery.event, dependencies),
    };
    // A ping writes the log: it is timed with the refusal, below, after the SDK's code has warmed up.
    if (answer.statusCode === 202) operations.logged = () => acceptWebhook(delivery.event, withLog);
    if (delivery.provider === 'github') operations.octokit = await octokitReceiver(delivery);
    const times = await medianNanosecondsAsync(operations, plan);
    rows.push({ delivery, status: answer.statusCode, floor: times.floor ?? NaN, ingress: times.ingress ?? NaN, logged: times.logged, octokit: times.octokit });
  }
  const pings = rows
    .filter((row) => row.status === 200)
    .map((row): Written => ({ name: `${row.delivery.name} (answered, not queued)`, status: 200, write: 'UpdateItem', event: row.delivery.event }));
  const writes = await timeWrites([refusal(deliveries), ...pings], dependencies, withLog, dynamo, plan);
  console.log(report(rows, writes, plan, values.quick));
}

/**
 * What ingress writes to the log for the delivery: nothing for an accepted one (202), one signed
 * UpdateItem for a ping (200), which ingress answers itself. Checked before timing, so that
 * "ingress + log" is known to time the writes the deployed function makes, no more, no fewer.
 */
async function checkLogWrites(delivery: IngressDelivery, status: number, withLog: IngressDependencies, dynamo: InstantDynamo): Promise<void> {
  const sent = dynamo.sent;
  const answer = await acceptWebhook(delivery.event, withLog);
  const requests = dynamo.sent - sent;
  let problem: string | undefined;
  if (answer.statusCode !== status) problem = `ingress answered ${answer.statusCode} ${answer.body}, not ${status}`;
  else if (status === 202 && requests !== 0) problem = `an accepted delivery made ${requests} requests to DynamoDB, not 0`;
  else if (status === 200 && requests !== 1) problem = `a ping made ${requests} requests to DynamoDB, not 1`;
  else if (status === 200 && !isSigned(dynamo, 'UpdateItem')) problem = 'a ping’s write is not a signed UpdateItem';
  if (problem) throw new Error(`${delivery.name} with the delivery log: ${problem}`);
}

function isSigned(dynamo: InstantDynamo, operation: string): boolean {
  const request = dynamo.last;
  return request?.headers['x-amz-target'] === `DynamoDB_20120810.${operation}` && (request.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ') ?? false);
}

/** A request for which ingress writes the log (a refusal, a ping), and its write. */
interface Written {
  name: string;
  status: number;
  write: 'PutItem' | 'UpdateItem';
  event: IngressDelivery['event'];
}

/** A write timed: median nanoseconds per call of ingress without and with the log. */
type Timed = Written & { ingress: number; logged: number };

/** The delivery refused: a GitHub push whose signatures were made with a secret the source does not have. */
const REFUSED_FIXTURE = 'github/push.tag';

/** The GitHub push signed with a wrong secret: 401 after an HMAC per secret of the source, and one PutItem of the refusal. */
function refusal(deliveries: readonly IngressDelivery[]): Written {
  const push = deliveries.find((delivery) => delivery.name === REFUSED_FIXTURE);
  if (!push) throw new Error(`no fixture ${REFUSED_FIXTURE}`);
  const wrong = (algorithm: string) => `${algorithm}=${createHmac(algorithm, 'not the source’s secret').update(push.bytes).digest('hex')}`;
  const headers = Object.fromEntries(
    Object.entries(push.headers).map(([name, value]) => {
      const lower = name.toLowerCase();
      return [name, lower === 'x-hub-signature-256' ? wrong('sha256') : lower === 'x-hub-signature' ? wrong('sha1') : value];
    }),
  );
  return { name: `${REFUSED_FIXTURE}, wrong signature`, status: 401, write: 'PutItem', event: apiGatewayEvent({ source: push.source, headers, body: push.bytes }) };
}

/**
 * The requests for which ingress writes the log, each with and without it, in one run. Checked
 * before timing: the same answer both ways, and one signed request of the expected kind with the
 * log. The SDK's code is warmed up first, as on the relay's and in a function that has served
 * some requests: the per-delivery loop above runs none of it.
 */
async function timeWrites(written: readonly Written[], dependencies: IngressDependencies, withLog: IngressDependencies, dynamo: InstantDynamo, plan: Plan): Promise<Timed[]> {
  for (const request of written) {
    const without = await acceptWebhook(request.event, dependencies);
    const sent = dynamo.sent;
    const logged = await acceptWebhook(request.event, withLog);
    let problem: string | undefined;
    if (without.statusCode !== request.status || logged.statusCode !== request.status) problem = `ingress answered ${without.statusCode}, and ${logged.statusCode} with the log, not ${request.status}`;
    else if (dynamo.sent !== sent + 1) problem = `${dynamo.sent - sent} requests to DynamoDB, not 1`;
    else if (!isSigned(dynamo, request.write)) problem = `the write is not a signed ${request.write}`;
    if (problem) throw new Error(`${request.name}: ${problem}`);
  }
  process.stderr.write(`ingress: ${written.length} requests that write the log…\n`);
  const warmed: Plan = { ...plan, warmupMs: plan.warmupMs * WRITE_WARMUP };
  const timed: Timed[] = [];
  for (const request of written) {
    const times = await medianNanosecondsAsync({ ingress: () => acceptWebhook(request.event, dependencies), logged: () => acceptWebhook(request.event, withLog) }, warmed);
    timed.push({ ...request, ingress: times.ingress, logged: times.logged });
  }
  return timed;
}

/** How many times the plan's warm-up the writes get: 1 s in a full run, some 1,000 writes. */
const WRITE_WARMUP = 50;

function report(rows: readonly Row[], writes: readonly Timed[], plan: Plan, quick: boolean): string {
  const github = rows.filter((row) => row.octokit !== undefined);
  const ratios = (selected: readonly Row[], ratio: (row: Row) => number) => (selected.length === 0 ? '—' : figure(median(selected.map(ratio))));
  const octokit = (row: Row) => row.octokit ?? NaN;
  // An accepted delivery only: a ping writes the log, and is timed with the refusal.
  const accepted = (selected: readonly Row[]) => selected.filter((row) => row.status === 202);
  const logRatio = (row: Row) => (row.logged ?? NaN) / row.ingress;
  const logRatios = accepted(rows).map(logRatio);
  const lines = [
    '## Ingress',
    '',
    `- Command: \`npm run bench:ingress${quick ? ' -- --quick' : ''}\``,
    `- Machine: ${machine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Timing: per delivery, the median of ${plan.samples} interleaved samples of at least ${plan.minSampleMs} ms each, after ${plan.warmupMs} ms of warm-up.`,
    '',
    '### Summary (medians across the deliveries)',
    '',
    table(
      ['deliveries', 'ingress/floor', 'worst ingress/floor', '(ingress + log)/ingress, accepted', 'octokit/floor', 'ingress/octokit'],
      [
        [`all ${rows.length}`, ratios(rows, (row) => row.ingress / row.floor), worst(rows), ratios(accepted(rows), logRatio), '—', '—'],
        [
          `GitHub ${github.length}`,
          ratios(github, (row) => row.ingress / row.floor),
          worst(github),
          ratios(accepted(github), logRatio),
          ratios(github, (row) => octokit(row) / row.floor),
          ratios(github, (row) => row.ingress / octokit(row)),
        ],
      ],
    ),
    '',
    `The log costs an accepted delivery nothing at ingress: each of the ${logRatios.length} accepted deliveries made no DynamoDB request with the log configured (checked before timing), and *(ingress + log)/ingress* is ${logRatios.length === 0 ? '—' : figure(median(logRatios))} at the median, ${figure(Math.min(...logRatios))} to ${figure(Math.max(...logRatios))} per delivery.`,
    '',
    `### Writes of the log at ingress (one each; ${plan.warmupMs * WRITE_WARMUP} ms of warm-up)`,
    '',
    table(
      ['delivery', 'answer', 'write', 'ingress µs', 'ingress + log µs', 'added µs', '(ingress + log)/ingress'],
      writes.map((timed) => [
        timed.name,
        String(timed.status),
        timed.write,
        figure(timed.ingress / 1e3),
        figure(timed.logged / 1e3),
        figure((timed.logged - timed.ingress) / 1e3),
        figure(timed.logged / timed.ingress),
      ]),
    ),
    '',
    '### Per delivery',
    '',
    table(
      ['fixture', 'bytes', 'answer', 'floor µs', 'ingress µs', 'ingress/floor', 'ingress + log µs', '(ingress + log)/ingress', 'octokit µs', 'ingress/octokit'],
      rows.map((row) => [
        row.delivery.name,
        row.delivery.bytes.length.toLocaleString('en-US'),
        String(row.status),
        figure(row.floor / 1e3),
        figure(row.ingress / 1e3),
        figure(row.ingress / row.floor),
        row.logged === undefined ? '—' : figure(row.logged / 1e3),
        row.logged === undefined ? '—' : figure(row.logged / row.ingress),
        row.octokit === undefined ? '—' : figure(row.octokit / 1e3),
        row.octokit === undefined ? '—' : figure(row.ingress / row.octokit),
      ]),
    ),
  ];
  return lines.join('\n');
}

function worst(rows: readonly Row[]): string {
  if (rows.length === 0) return '—';
  const found = rows.reduce((a, b) => (b.ingress / b.floor > a.ingress / a.floor ? b : a));
  return `${figure(found.ingress / found.floor)} (${found.delivery.name})`;
}

void main();
