import '../../local/processEnvironment';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../local/seededRandom';
import { delivery, killGroup, pool, quiescent, readAll, sendUntilAccepted, startLocalStack } from '../localStack';

/**
 * `npm run soak [-- --count N --kill K --seed S]`: N deliveries (default 2,000) of mixed providers
 * through local mode while Code Stream's simulator fails 30% of calls (5xx, 429 with Retry-After,
 * answers slower than the client's timeout, connection resets), expires every token every 250
 * calls, refuses one pipeline (403) and lacks another (404). The relay keeps its queues itself,
 * journaled on disk, as `npm start` does; K times (default 1), at moments drawn from the seed, its
 * whole process group is killed (SIGKILL) and it is started again. Then it reconciles what Code
 * Stream executed with what the rules say, and prints one line:
 * `SOAK sent=<n> expected=<n> executed=<n> duplicates=<n> dead_lettered=<n> lost=<n> kills=<k>`,
 * exiting 1 when anything was duplicated or lost, or a dead-letter record lacks its reason.
 */

const progress = (line: string) => process.stderr.write(`soak: ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '2000' }, faults: { type: 'string', default: '0.3' }, kill: { type: 'string', default: '1' }, seed: { type: 'string', default: '7' } },
  });
  const count = Number(values.count);
  const kills = Number(values.kill);
  const random = seededRandom(Number(values.seed));
  // After how many accepted deliveries each kill comes: anywhere past the first few, in order.
  const killAt = Array.from({ length: kills }, () => Math.ceil(count * (0.05 + 0.95 * random()))).sort((a, b) => a - b);
  const stack = await startLocalStack({ faultProbability: Number(values.faults), relayQueues: true });
  const { simulator } = stack;
  let relay = await stack.startRelay();
  let restarting: Promise<void> = Promise.resolve();
  const deliveries = Array.from({ length: count }, (_unused, index) => delivery(index));
  let sent = 0;
  await pool(deliveries, 8, async (item) => {
    await sendUntilAccepted(item, stack.port);
    sent += 1;
    while (killAt[0] !== undefined && sent >= killAt[0]) {
      killAt.shift();
      // The senders go on meanwhile, as providers do: they retry what the dead relay refused.
      restarting = restarting.then(async () => {
        progress(`killing the relay's process group after ${sent} accepted deliveries`);
        await killGroup(relay);
        relay = await stack.startRelay();
        progress('restarted');
      });
    }
  });
  await restarting;
  progress(`all ${count} deliveries accepted; waiting for the queue to empty`);
  if (!(await quiescent(stack.sqs, stack.queueUrl, Math.max(120_000, count * 300)))) progress('the queue did not empty in time');
  const deadLetters = await readAll(stack.sqs, stack.deadLetterQueueUrl);
  relay.kill('SIGINT');
  await new Promise((resolve) => relay.once('exit', resolve));

  const executed = new Map<string, number>();
  for (const execution of simulator.executions) {
    const deliveryTag = execution.tags.find((tag) => tag.startsWith('delivery:'));
    const ruleTag = execution.tags.find((tag) => tag.startsWith('rule:'));
    const key = `${deliveryTag?.slice('delivery:'.length)}|${ruleTag?.slice('rule:'.length)}`;
    executed.set(key, (executed.get(key) ?? 0) + 1);
  }
  const deadLettered = new Set<string>();
  let withoutReason = 0;
  for (const message of deadLetters) {
    const attributes = message.MessageAttributes ?? {};
    if (!attributes.reason?.StringValue || !attributes.outcome?.StringValue) withoutReason += 1;
    deadLettered.add(`${attributes.deliveryId?.StringValue}|${attributes.rule?.StringValue}`);
  }
  const expectedPairs = deliveries.flatMap((item) => [...item.expected, ...item.refused].map((rule) => `${item.id}|${rule}`));
  const expected = new Set(expectedPairs);
  const duplicates = [...executed.values()].reduce((sum, times) => sum + Math.max(0, times - 1), 0);
  const executedCount = expectedPairs.filter((pair) => executed.has(pair)).length;
  const lost = expectedPairs.filter((pair) => !executed.has(pair) && !deadLettered.has(pair));
  const unexpected = [...executed.keys()].filter((pair) => !expected.has(pair));
  progress(
    `simulator: ${simulator.requests.length} requests, ${simulator.requests.filter((request) => request.fault).length} with a fault; ` +
      `${unexpected.length} executions no rule asked for; ${withoutReason} dead-letter records without a reason`,
  );
  if (lost.length > 0) progress(`lost: ${lost.slice(0, 10).join(', ')}`);
  process.stdout.write(
    `SOAK sent=${count} expected=${expectedPairs.length} executed=${executedCount} duplicates=${duplicates} dead_lettered=${deadLettered.size} lost=${lost.length} kills=${kills}\n`,
  );
  await stack.stop();
  return duplicates > 0 || lost.length > 0 || withoutReason > 0 || unexpected.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    progress(`failed: ${error.stack ?? error.message}`);
    process.exit(2);
  },
);
