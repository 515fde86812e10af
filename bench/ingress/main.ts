import { createHmac } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BODY_BYTES, type IngressDependencies, acceptWebhook } from '../../lambda/ingress/acceptWebhook';
import { loadConfig } from '../../lambda/config/loadConfig';
import { FileSecretStore } from '../../local/FileSecretStore';
import { type Plan, median } from '../rules/measure';
import { type IngressDelivery, loadDeliveries } from './deliveries';
import { figure, machine, table } from './markdown';
import { medianNanosecondsAsync } from './measureAsync';
import { octokitReceiver } from './octokitBaseline';

/**
 * `npm run bench:ingress [-- --quick]`: the median time of the ingress function's handler,
 * `acceptWebhook`, for each fixture delivery, beside the floor of any webhook receiver in the same
 * run (HMAC-SHA256 of the body with the source's secret, and one JSON.parse of it) and, for GitHub,
 * beside @octokit/webhooks' verify-and-receive. Prints Markdown, for docs/benchmarks.md. `--quick`
 * takes few short samples: a smoke run, not figures.
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
  const deliveries = await loadDeliveries(path.join(ROOT, 'test/fixtures/webhooks'), config, secrets);
  process.stderr.write(`ingress: ${deliveries.length} deliveries…\n`);
  const rows: Row[] = [];
  for (const delivery of deliveries) {
    // Only an accepted delivery has done the whole work: a refusal would be timed as a shortcut.
    const answer = await acceptWebhook(delivery.event, dependencies);
    if (answer.statusCode !== 202 && answer.statusCode !== 200) throw new Error(`${delivery.name}: ingress answered ${answer.statusCode} ${answer.body}`);
    const operations: Record<string, () => unknown> = {
      floor: () => {
        createHmac('sha256', delivery.secret).update(delivery.bytes).digest();
        return JSON.parse(delivery.text);
      },
      ingress: () => acceptWebhook(delivery.event, dependencies),
    };
    if (delivery.provider === 'github') operations.octokit = await octokitReceiver(delivery);
    const times = await medianNanosecondsAsync(operations, plan);
    rows.push({ delivery, floor: times.floor ?? NaN, ingress: times.ingress ?? NaN, octokit: times.octokit });
  }
  console.log(report(rows, plan, values.quick));
}

function report(rows: readonly Row[], plan: Plan, quick: boolean): string {
  const github = rows.filter((row) => row.octokit !== undefined);
  const ratios = (selected: readonly Row[], ratio: (row: Row) => number) => (selected.length === 0 ? '—' : figure(median(selected.map(ratio))));
  const octokit = (row: Row) => row.octokit ?? NaN;
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
      ['deliveries', 'ingress/floor', 'worst ingress/floor', 'octokit/floor', 'ingress/octokit'],
      [
        [`all ${rows.length}`, ratios(rows, (row) => row.ingress / row.floor), worst(rows), '—', '—'],
        [
          `GitHub ${github.length}`,
          ratios(github, (row) => row.ingress / row.floor),
          worst(github),
          ratios(github, (row) => octokit(row) / row.floor),
          ratios(github, (row) => row.ingress / octokit(row)),
        ],
      ],
    ),
    '',
    '### Per delivery',
    '',
    table(
      ['fixture', 'bytes', 'floor µs', 'ingress µs', 'ingress/floor', 'octokit µs', 'ingress/octokit'],
      rows.map((row) => [
        row.delivery.name,
        row.delivery.bytes.length.toLocaleString('en-US'),
        figure(row.floor / 1e3),
        figure(row.ingress / 1e3),
        figure(row.ingress / row.floor),
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
