import '../../local/processEnvironment';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../local/seededRandom';
import { delivery, pool, quiescent, readAll, sendUntilAccepted, startLocalStack } from '../localStack';
import { coalesceSoak } from './coalesce';
import { RelayKiller } from './RelayKiller';

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
 *
 * `--coalesce [--keys K --burst B --quiet S]`: the coalescing mode (bench/soak/coalesce.ts), bursts
 * of pushes to K branches of a rule with a quiet period of S seconds, under the same faults and kills.
 */

const progress = (line: string) => process.stderr.write(`soak: ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '2000' },
      faults: { type: 'string', default: '0.3' },
      kill: { type: 'string', default: '1' },
      seed: { type: 'string', default: '7' },
      coalesce: { type: 'boolean', default: false },
      keys: { type: 'string', default: '10' },
      burst: { type: 'string', default: '10' },
      quiet: { type: 'string', default: '2' },
    },
  });
  const count = Number(values.count);
  const kills = Number(values.kill);
  const random = seededRandom(Number(values.seed));
  const faultProbability = Number(values.faults);
  if (values.coalesce) {
    return coalesceSoak({ count, kills, random, faultProbability, keys: Number(values.keys), burst: Number(values.burst), quietSeconds: Number(values.quiet), progress });
  }
  const stack = await startLocalStack({ faultProbability, relayQueues: true });
  const { simulator } = stack;
  const killer = new RelayKiller({ stack, relay: await stack.startRelay(), count, kills, random, progress });
  const deliveries = Array.from({ length: count }, (_unused, index) => delivery(index));
  let sent = 0;
  const deadLetters = await killer.around(async () => {
    await pool(deliveries, 8, async (item) => {
      await sendUntilAccepted(item, stack.port);
      sent += 1;
      killer.accepted(sent);
    });
    await killer.restarted();
    progress(`all ${count} deliveries accepted; waiting for the queue to empty`);
    if (!(await quiescent(stack.sqs, stack.queueUrl, Math.max(120_000, count * 300)))) progress('the queue did not empty in time');
    return readAll(stack.sqs, stack.deadLetterQueueUrl);
  });

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
  if (duplicates > 0) progress(`duplicated: ${[...executed].filter(([, times]) => times > 1).slice(0, 10).map(([pair, times]) => `${pair} ×${times}`).join(', ')}`);
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
