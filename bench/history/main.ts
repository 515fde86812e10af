import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DeliveryHistory } from '../../cli/history/DeliveryHistory';
import type { DeliveryQuery } from '../../cli/history/DeliveryQuery';
import type { RuleDecision } from '../../lambda/history/DeliveryRecord';
import { DynamoDeliveryLog } from '../../lambda/history/DynamoDeliveryLog';
import { startLocalTable } from '../../local/localAws';
import { figure, machine, table } from '../ingress/markdown';
import { median } from '../rules/measure';

/**
 * `npm run bench:history [-- --count N]`: how fast `relay deliveries list` and the console read a
 * delivery log of N deliveries (default 10,000) spread over 30 days, in local mode's DynamoDB
 * (dynalite), beside the floor measured in the same run: one GetItem of one delivery, the least a
 * read of the log can cost. Prints Markdown, for docs/benchmarks.md.
 */

const DAY_MS = 86_400_000;
const SAMPLES = 15;
const SOURCES = ['github-acme', 'gitlab-platform', 'harbor'];
const RULES = ['build', 'deploy', 'release-tags', 'scan'];
const OUTCOMES: RuleDecision['outcome'][] = ['created', 'created', 'created', 'no_match', 'no_match', 'skipped', 'retrying', 'dead_lettered'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' } } });
  const count = Number(values.count);
  const table_ = await startLocalTable();
  try {
    const log = new DynamoDeliveryLog({ client: () => table_.documentClient, tableName: table_.deliveriesTableName });
    const now = Date.now();
    process.stderr.write(`history: writing ${count} deliveries…\n`);
    // A body of a typical push's size: the indexes must not carry it.
    const body = JSON.stringify({ ref: 'refs/heads/main', commits: Array.from({ length: 20 }, (_, n) => ({ id: `${n}`.padStart(40, '0'), message: 'x'.repeat(200) })) });
    for (let start = 0; start < count; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - start) }, async (_, offset) => {
          const n = start + offset;
          const receivedAt = new Date(now - Math.floor((n / count) * 30 * DAY_MS)).toISOString();
          const decision: RuleDecision = { rule: RULES[n % RULES.length] ?? 'build', event: 0, outcome: OUTCOMES[n % OUTCOMES.length] ?? 'created', at: receivedAt };
          const details = { provider: 'github', status: 202, bodyBytes: body.length, eventKind: 'push', summary: `acme/app: push to main (${n})`, headers: { 'x-github-event': 'push' }, query: {}, events: [], body, messageId: `m-${n}` };
          await log.decided({ source: SOURCES[n % SOURCES.length] ?? 'github-acme', deliveryId: `d-${n}`, receivedAt }, [decision], details);
        }),
      );
    }
    const history = new DeliveryHistory(table_.documentClient, table_.deliveriesTableName, 'bench');
    const firstPage = await history.list({});
    const cases: [string, () => Promise<unknown>][] = [
      ['floor: GetItem of one delivery', () => table_.documentClient.send(new GetCommand({ TableName: table_.deliveriesTableName, Key: { id: 'github-acme/d-0' } }))],
      ['show one delivery', () => history.get('github-acme/d-0')],
      ['list: newest 50', () => history.list({})],
      ['list: next page (cursor)', () => history.list({ cursor: firstPage.cursor })],
      ['list: one source, newest 50', () => history.list({ source: 'gitlab-platform' })],
      ['list: outcome dead_lettered, newest 50', () => history.list({ outcome: 'dead_lettered' })],
      ['list: rule scan, last 7 days, newest 50', () => history.list({ rule: 'scan', since: new Date(now - 7 * DAY_MS) })],
      ['list: status 401 (none), all 30 days', () => history.list({ status: 401 } satisfies DeliveryQuery)],
    ];
    const rows: string[][] = [];
    let floor = NaN;
    for (const [name, run] of cases) {
      await run();
      const times: number[] = [];
      for (let sample = 0; sample < SAMPLES; sample += 1) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      const ms = median(times);
      if (name.startsWith('floor')) floor = ms;
      rows.push([name, figure(ms), figure(ms / floor)]);
    }
    console.log(
      [
        '## Delivery log reads',
        '',
        `- Command: \`npm run bench:history${values.count === '10000' ? '' : ` -- --count ${count}`}\``,
        `- Machine: ${machine()}`,
        `- Date: ${new Date().toISOString().slice(0, 10)}`,
        `- ${count.toLocaleString('en-US')} deliveries over 30 days in dynalite (local mode's DynamoDB), each with one decision; the median of ${SAMPLES} reads each.`,
        '',
        table(['read', 'ms', '÷ floor'], rows),
      ].join('\n'),
    );
  } finally {
    await table_.stop();
  }
}

void main();
