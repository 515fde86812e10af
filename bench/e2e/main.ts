import '../../local/processEnvironment';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { delivery, pool, sendUntilAccepted, startLocalStack } from '../localStack';

/**
 * `npm run bench:e2e [-- --count N]`: sustained deliveries per second through `npm start`'s relay
 * (ingress, SQS, the relay, Code Stream's simulator), and the latency of the webhook's answer
 * (202, p50 and p99), with no faults and with 30% of Code Stream calls failing. Beside them, in
 * the same run, the floor: the latency of the same server's GET /health.
 */

interface Row {
  faults: number;
  deliveries: number;
  acceptedPerSecond: number;
  processedPerSecond: number;
  ackP50: number;
  ackP99: number;
  floorP50: number;
  floorP99: number;
}

async function measure(faults: number, count: number, concurrency: number): Promise<Row> {
  const stack = await startLocalStack({ faultProbability: faults });
  const relay = await stack.startRelay();
  const floor: number[] = [];
  for (let index = 0; index < 200; index += 1) {
    const started = performance.now();
    await fetch(`http://127.0.0.1:${stack.port}/health`).then((response) => response.text());
    floor.push(performance.now() - started);
  }
  const deliveries = Array.from({ length: count }, (_unused, index) => delivery(index));
  const executions = deliveries.reduce((sum, item) => sum + item.expected.length, 0);
  const deadLetters = deliveries.reduce((sum, item) => sum + item.refused.length, 0);
  const acks: number[] = [];
  const started = performance.now();
  await pool(deliveries, concurrency, async (item) => {
    acks.push(await sendUntilAccepted(item, stack.port));
  });
  const acceptedAt = performance.now();
  for (;;) {
    const { Attributes = {} } = await stack.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    if (stack.simulator.executions.length >= executions && Number(Attributes.ApproximateNumberOfMessages) >= deadLetters) break;
    await sleep(20);
  }
  const processedAt = performance.now();
  relay.kill('SIGINT');
  await new Promise((resolve) => relay.once('exit', resolve));
  await stack.stop();
  return {
    faults,
    deliveries: count,
    acceptedPerSecond: count / ((acceptedAt - started) / 1000),
    processedPerSecond: count / ((processedAt - started) / 1000),
    ackP50: percentile(acks, 50),
    ackP99: percentile(acks, 99),
    floorP50: percentile(floor, 50),
    floorP99: percentile(floor, 99),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, quick: { type: 'boolean', default: false } } });
  const count = values.quick ? 100 : Number(values.count);
  const rows = [await measure(0, count, 16), await measure(0.3, count, 16)];
  const ms = (value: number) => value.toFixed(1);
  const lines = [
    '### Local end-to-end',
    '',
    `\`npm run bench:e2e\`: ${count} deliveries, 16 senders, through npm start's relay; floor = GET /health on the same server.`,
    '',
    '| Code Stream faults | deliveries | accepted/s | processed/s | ack p50 ms | ack p99 ms | floor p50 ms | floor p99 ms | ack p50/floor |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...rows.map(
      (row) =>
        `| ${Math.round(row.faults * 100)}% | ${row.deliveries} | ${row.acceptedPerSecond.toFixed(0)} | ${row.processedPerSecond.toFixed(0)} | ${ms(row.ackP50)} | ${ms(row.ackP99)} | ${ms(row.floorP50)} | ${ms(row.floorP99)} | ${(row.ackP50 / row.floorP50).toFixed(1)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench:e2e failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
