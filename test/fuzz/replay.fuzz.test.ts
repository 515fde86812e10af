import * as fc from 'fast-check';
import type { RelayMessage } from '../../lambda/events/RelayMessage';
import { processRecord } from '../../lambda/relay/processRecord';
import { RuleEngine } from '../../lambda/rules/RuleEngine';
import { PIPELINE_ID, fakeRelayDependencies } from '../support/fakeRelayDependencies';
import { queuedMessage } from '../support/queuedMessage';
import { ScriptedCodeStream, type ScriptedAnswer } from '../support/ScriptedCodeStream';
import { sqsRecord } from '../support/sqsRecord';
import { fixture } from '../support/webhookFixtures';

// A signed body sent again, under its own delivery id or fresh ones, redelivered by SQS or after
// Code Stream failed, in any order: each rule's execution is started once at most. FUZZ_RUNS and
// FUZZ_SEED as in ingress.fuzz.test.ts; the seed is printed at the end.
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED);

const RULES = [
  { name: 'build', when: { events: ['push' as const] }, pipeline: { id: PIPELINE_ID } },
  { name: 'release', when: { events: ['push' as const] }, pipeline: { project: 'demo', name: 'release' } },
];

let message: RelayMessage;

beforeAll(async () => {
  ({ message } = await queuedMessage('github', fixture('github/push.branch-created')));
});

afterAll(() => process.stdout.write(`FUZZ replay seed=${SEED} runs=${RUNS}\n`));

/** One receive: the body under delivery id `id` (0: the first's), as SQS message `messageId`, and what Code Stream answers its calls. */
const receive = fc.record({
  id: fc.nat(3),
  messageId: fc.constantFrom('msg-1', 'msg-2', 'msg-3'),
  answers: fc.array(fc.constantFrom<ScriptedAnswer>({ status: 202 }, { status: 403 }, { status: 503 }), { minLength: 2, maxLength: 2 }),
});

it('a replayed signed body never yields a second execution of a rule', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(receive, { minLength: 1, maxLength: 8 }), async (receives) => {
      // Each receive's answers, three times over for the retries within an invocation; a call past the script fails its receive.
      const script = receives.flatMap(({ answers }) => [...answers, ...answers, ...answers]);
      const relay = fakeRelayDependencies({ engine: RuleEngine.fromDefinitions(RULES), codestream: new ScriptedCodeStream(script) });
      for (const { id, messageId } of receives) {
        const deliveryId = id === 0 ? message.deliveryId : `replayed-${id}`;
        const body = JSON.stringify({ ...message, deliveryId, headers: { ...message.headers, 'x-github-delivery': deliveryId } });
        // Retried later, or a call past the script: either way the receive ends, as a failed invocation would.
        await processRecord(sqsRecord(body, { messageId: `${messageId}-${deliveryId}` }), () => 60_000, relay).catch(() => undefined);
      }
      const started = relay.codestream.executions.map((execution) => execution.tags.find((tag) => tag.startsWith('rule:')));
      expect(new Set(started).size).toBe(started.length);
    }),
    { numRuns: RUNS, seed: SEED },
  );
}, 60_000);
