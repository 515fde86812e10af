import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type ExecutionRecord, IdempotencyStore } from '../../lambda/relay/IdempotencyStore';
import { LOCAL_CREDENTIALS } from '../../local/LocalState';
import { LOCAL_REGION } from '../../local/localAws';
import { type LocalStack, pushDelivery, quiescent, readAll, sendUntilAccepted, startLocalStack } from '../localStack';
import { RelayKiller } from './RelayKiller';

export interface CoalesceSoakOptions {
  /** Pushes in all. */
  count: number;
  /** Branches pushed to: one window each at a time. */
  keys: number;
  /** Pushes per branch in each round. */
  burst: number;
  quietSeconds: number;
  faultProbability: number;
  kills: number;
  random: () => number;
  progress: (line: string) => void;
}

interface Push {
  id: string;
  branch: string;
  commit: string;
  round: number;
}

const RULE = 'pushes';

/**
 * The soak's coalescing mode: rounds of bursts, each round `burst` pushes to each of `keys`
 * branches (the branches at once, each branch's pushes one after another, so the relay receives
 * them in that order), of a rule with a quiet period, under the soak's Code Stream faults and
 * kills. A round starts once the relay has decided every push of the last: executed, or
 * superseded. Then it reconciles the simulator's executions and the relay's records with the
 * windows the relay kept, and prints one line:
 * `SOAK mode=coalesce sent=<n> keys=<k> rounds=<r> windows=<w> executed=<e> superseded=<s> dead_lettered=<d> duplicates=<n> lost=<n> kills=<k>`.
 *
 * It holds that each window executed exactly one push, its newest (executed = windows, and the
 * executed pushes are the windows' newest), with that push's commit; that the last push of every
 * round ran (a round's windows may be more than one per branch, where a kill delayed a push past
 * its window: the late push then runs in a window of its own, newer being newer); that nothing
 * ran twice; and that every push was executed or superseded (lost = 0). Exit 1 otherwise.
 */
export async function coalesceSoak(options: CoalesceSoakOptions): Promise<number> {
  const { count, keys, burst, progress } = options;
  const stack = await startLocalStack({ faultProbability: options.faultProbability, relayQueues: true, quietSeconds: options.quietSeconds });
  // The soak's own reads, retried more than the SDK's 3 attempts: after the pauses of a kill, the
  // sockets it kept alive may all have been closed by the table's server (ECONNRESET on reuse).
  const client = new DynamoDBClient({ region: LOCAL_REGION, endpoint: stack.table.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 10 });
  const documents = DynamoDBDocumentClient.from(client);
  const store = new IdempotencyStore({ client: documents, tableName: stack.table.tableName, leaseMs: 0 });
  const killer = new RelayKiller({ stack, relay: await stack.startRelay(), count, kills: options.kills, random: options.random, progress });
  const rounds = Math.ceil(count / (keys * burst));
  const pushes = plannedPushes(count, keys, burst);
  let sent = 0;
  const deadLetters = await killer.around(async () => {
    for (let round = 0; round < rounds; round += 1) {
      const ofRound = pushes.filter((push) => push.round === round);
      // The branches at once, each branch's pushes one after another.
      const branches = [...new Set(ofRound.map((push) => push.branch))];
      await Promise.all(
        branches.map(async (branch) => {
          for (const push of ofRound.filter((each) => each.branch === branch)) {
            await sendUntilAccepted(pushDelivery(push.id, push.branch, push.commit), stack.port);
            sent += 1;
            killer.accepted(sent);
          }
        }),
      );
      if (!(await decided(store, ofRound, Math.max(180_000, ofRound.length * 1_000)))) progress(`round ${round + 1}: not every push was decided in time`);
    }
    await killer.restarted();
    progress(`all ${count} pushes accepted in ${rounds} rounds; waiting for the queue to empty`);
    if (!(await quiescent(stack.sqs, stack.queueUrl, 120_000))) progress('the queue did not empty in time');
    return readAll(stack.sqs, stack.deadLetterQueueUrl);
  });
  const deadLettered = new Set(deadLetters.map((message) => message.MessageAttributes?.deliveryId?.StringValue));
  const exitCode = await reconcile(stack, store, await windowsOf(documents, stack.table.tableName), pushes, { keys, rounds, kills: options.kills, deadLettered, progress });
  client.destroy();
  await stack.stop();
  return exitCode;
}

async function reconcile(
  stack: LocalStack,
  store: IdempotencyStore,
  windows: readonly KeptWindow[],
  pushes: readonly Push[],
  context: { keys: number; rounds: number; kills: number; deadLettered: Set<string | undefined>; progress: (line: string) => void },
): Promise<number> {
  const byId = new Map(pushes.map((push) => [push.id, push]));
  const executions = new Map<string, { times: number; commits: string[] }>();
  let unexpected = 0;
  for (const execution of stack.simulator.executions) {
    const id = execution.tags.find((tag) => tag.startsWith('delivery:'))?.slice('delivery:'.length) ?? '';
    if (!byId.has(id) || !execution.tags.includes(`rule:${RULE}`)) unexpected += 1;
    const seen = executions.get(id) ?? { times: 0, commits: [] };
    executions.set(id, { times: seen.times + 1, commits: [...seen.commits, execution.input.GIT_COMMIT_ID ?? ''] });
  }
  const records = new Map<string, ExecutionRecord | undefined>();
  for (const push of pushes) records.set(push.id, await store.get({ source: 'github', deliveryId: push.id, rule: RULE }));

  const duplicates = [...executions.values()].reduce((sum, { times }) => sum + Math.max(0, times - 1), 0);
  const executed = pushes.filter((push) => executions.has(push.id));
  const superseded = pushes.filter((push) => records.get(push.id)?.status === 'superseded');
  const deadLettered = pushes.filter((push) => context.deadLettered.has(push.id));
  const lost = pushes.filter((push) => !executions.has(push.id) && records.get(push.id)?.status !== 'superseded' && !context.deadLettered.has(push.id));
  const wrongCommit = executed.filter((push) => executions.get(push.id)?.commits.some((commit) => commit !== push.commit));
  const newestOfWindows = new Set(windows.map((window) => window.latestDeliveryId));
  const notNewest = executed.filter((push) => !newestOfWindows.has(push.id));
  const waiting = windows.filter((window) => window.status !== 'fired');
  // The last push of each round to each branch is the newest of its branch until the next round: it must run.
  const lastOfRound = new Map(pushes.map((push) => [`${push.round}|${push.branch}`, push]));
  const stale = [...lastOfRound.values()].filter((push) => !executions.has(push.id));
  context.progress(
    `simulator: ${stack.simulator.requests.length} requests, ${stack.simulator.requests.filter((request) => request.fault).length} with a fault; ` +
      `${unexpected} executions no rule asked for; ${notNewest.length} executed pushes not the newest of a window; ${wrongCommit.length} with another commit; ` +
      `${stale.length} rounds whose newest push did not run; ${waiting.length} windows still waiting`,
  );
  if (lost.length > 0) context.progress(`lost: ${lost.slice(0, 10).map((push) => push.id).join(', ')}`);
  process.stdout.write(
    `SOAK mode=coalesce sent=${pushes.length} keys=${context.keys} rounds=${context.rounds} windows=${windows.length} executed=${executed.length} ` +
      `superseded=${superseded.length} dead_lettered=${deadLettered.length} duplicates=${duplicates} lost=${lost.length} kills=${context.kills}\n`,
  );
  const failed = duplicates > 0 || lost.length > 0 || unexpected > 0 || executed.length !== windows.length || notNewest.length > 0 || wrongCommit.length > 0 || stale.length > 0 || waiting.length > 0;
  return failed ? 1 : 0;
}

/** `count` pushes in rounds of `burst` to each of `keys` branches, each with a commit of its own; ids in send order, so that a tie of receipt times orders them as sent. */
function plannedPushes(count: number, keys: number, burst: number): Push[] {
  const pushes: Push[] = [];
  for (let round = 0; pushes.length < count; round += 1) {
    for (let key = 0; key < keys; key += 1) {
      for (let seq = 0; seq < burst && pushes.length < count; seq += 1) {
        const id = `coalesce-${pad(round)}-${pad(key)}-${pad(seq)}`;
        pushes.push({ id, branch: `soak-${key}`, commit: createHash('sha1').update(id).digest('hex'), round });
      }
    }
  }
  return pushes;
}

/** Waits until the relay has recorded every push as executed or superseded; false if it did not in time. */
async function decided(store: IdempotencyStore, pushes: readonly Push[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let open = [...pushes];
  while (Date.now() < deadline) {
    const records = await Promise.all(open.map((push) => store.get({ source: 'github', deliveryId: push.id, rule: RULE })));
    open = open.filter((_push, index) => records[index]?.status !== 'created' && records[index]?.status !== 'superseded' && records[index]?.status !== 'dead_lettered');
    if (open.length === 0) return true;
    await sleep(250);
  }
  return false;
}

interface KeptWindow {
  id: string;
  status: string;
  latestDeliveryId: string;
}

/** Every window the relay kept (lambda/relay/QuietWindowStore.ts): the latest of each branch, and the fired ones newer windows replaced. */
async function windowsOf(documents: DynamoDBDocumentClient, tableName: string): Promise<KeptWindow[]> {
  const windows: KeptWindow[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const id = String(item.id);
      if (id.startsWith('["quiet",') || id.startsWith('["quiet-fired",')) windows.push({ id, status: String(item.status), latestDeliveryId: String(item.latestDeliveryId) });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return windows;
}

function pad(value: number): string {
  return String(value).padStart(4, '0');
}
