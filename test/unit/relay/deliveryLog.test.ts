import type { RelayMessage } from '../../../lambda/events/RelayMessage';
import { RetryLaterError, processRecord } from '../../../lambda/relay/processRecord';
import { RuleEngine } from '../../../lambda/rules/RuleEngine';
import { PIPELINE_ID, STARTED_AT, fakeRelayDependencies } from '../../support/fakeRelayDependencies';
import { queuedMessage } from '../../support/queuedMessage';
import { RecordingDeliveryLog } from '../../support/RecordingDeliveryLog';
import { ScriptedCodeStream, type ScriptedAnswer } from '../../support/ScriptedCodeStream';
import { sqsRecord } from '../../support/sqsRecord';
import { fixture } from '../../support/webhookFixtures';

const DELIVERY = '5ecc39b7-d405-47c5-a937-cc1e658d5686';
const TIME_LEFT = () => 60_000;
const AT = STARTED_AT.toISOString();

let body: string;
let message: RelayMessage;

beforeAll(async () => {
  // A GitHub push to a branch, as ingress queues it.
  ({ body, message } = await queuedMessage('github', fixture('github/push.branch-created')));
});

function relay(options: { script?: ScriptedAnswer[]; engine?: RuleEngine; log?: RecordingDeliveryLog } = {}) {
  const deliveries = options.log ?? new RecordingDeliveryLog();
  return { deliveries, relay: fakeRelayDependencies({ deliveries, codestream: new ScriptedCodeStream(options.script ?? []), ...(options.engine ? { engine: options.engine } : {}) }) };
}

const delivery = () => ({ source: 'github', deliveryId: DELIVERY, receivedAt: message.receivedAt });

describe('what the relay writes to the delivery log', () => {
  it('the delivery as queued, with its first decision, in one write: a created execution with its link', async () => {
    const { deliveries, relay: dependencies } = relay({ script: [{ status: 202 }] });
    await processRecord(sqsRecord(body, { messageId: 'message-1' }), TIME_LEFT, dependencies);

    expect(deliveries.decisions).toHaveLength(1);
    const [write] = deliveries.decisions;
    expect(write?.delivery).toEqual(delivery());
    expect(write?.details).toMatchObject({ provider: 'github', status: 202, eventKind: 'push', headers: message.headers, query: message.query, messageId: 'message-1' });
    expect(JSON.parse(write?.details?.body ?? '')).toEqual(JSON.parse(fixture('github/push.branch-created').body.toString('utf8')));
    expect(write?.details?.events).toEqual([expect.objectContaining({ kind: 'push', deliveryId: DELIVERY })]);
    expect(write?.details?.summary).toMatch(/^Codertocat\/Hello-World: push to /);
    expect(write?.decisions).toEqual([
      {
        rule: 'build',
        event: 0,
        outcome: 'created',
        pipeline: `id:${PIPELINE_ID}`,
        request: expect.objectContaining({ tags: [`delivery:${DELIVERY}`, 'rule:build'] }),
        executionId: expect.any(String),
        executionLink: expect.stringMatching(/^https?:\/\/.+\/executions\//),
        attempts: 1,
        at: AT,
      },
    ]);
  });

  it('why no rule matched, one decision per rule, with the delivery', async () => {
    const engine = RuleEngine.fromDefinitions([
      { name: 'tags', when: { events: ['tag'] }, pipeline: { id: PIPELINE_ID } },
      { name: 'main-only', when: { events: ['push'], branches: ['main'] }, pipeline: { id: PIPELINE_ID } },
    ]);
    const { deliveries, relay: dependencies } = relay({ engine });
    await processRecord(sqsRecord(body), TIME_LEFT, dependencies);

    expect(deliveries.decisions.map((write) => write.decisions.map((decision) => [decision.rule, decision.outcome, decision.reason]))).toEqual([
      [
        ['tags', 'no_match', 'when.events: event kind "push" is not one of tag'],
        ['main-only', 'no_match', expect.stringContaining('main')],
      ],
    ]);
    expect(deliveries.decisions[0]?.details).toBeDefined();
  });

  it('a delivery no rule can even explain (a config without rules) is logged all the same', async () => {
    const { deliveries, relay: dependencies } = relay({ engine: RuleEngine.fromDefinitions([]) });
    await processRecord(sqsRecord(body), TIME_LEFT, dependencies);
    expect(deliveries.decisions).toEqual([{ delivery: delivery(), decisions: [], details: expect.objectContaining({ status: 202 }) }]);
  });

  it('a failure retried later, with the reason and when; a final one dead-lettered, with Code Stream’s status', async () => {
    const { deliveries, relay: dependencies } = relay({ script: [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 403 }] });
    await expect(processRecord(sqsRecord(body, { messageId: 'message-1' }), TIME_LEFT, dependencies)).rejects.toBeInstanceOf(RetryLaterError);
    await processRecord(sqsRecord(body, { messageId: 'message-1', receiveCount: 2 }), TIME_LEFT, dependencies);

    expect(deliveries.decisions.map((write) => write.decisions.map((decision) => [decision.outcome, decision.status, decision.attempts]))).toEqual([
      [['retrying', 503, 3]],
      [['dead_lettered', 403, 4]],
    ]);
    expect(deliveries.decisions[0]?.decisions[0]?.reason).toMatch(/503.*retried in \d+ s \(receive 1 of \d+\)/);
    expect(deliveries.decisions[1]?.decisions[0]?.reason).toMatch(/^forbidden: /);
    // The same message received again: its fields are set again, and it is still one receipt.
    expect(deliveries.decisions.map((write) => write.details?.messageId)).toEqual(['message-1', 'message-1']);
  });

  it('an execution already created stays created, with its link, when a redelivery skips it', async () => {
    const { deliveries, relay: dependencies } = relay({ script: [{ status: 202 }] });
    await processRecord(sqsRecord(body, { messageId: 'message-1' }), TIME_LEFT, dependencies);
    await processRecord(sqsRecord(body, { messageId: 'message-2' }), TIME_LEFT, dependencies);

    const [first, second] = deliveries.decisions.map((write) => write.decisions[0]);
    expect(second).toMatchObject({ outcome: 'created', executionId: first?.executionId, executionLink: first?.executionLink, reason: expect.stringContaining('already created') });
  });

  it('a log that fails neither fails the record nor stops its work: the failure is logged and counted', async () => {
    const { relay: dependencies } = relay({ script: [{ status: 202 }], log: new RecordingDeliveryLog(new Error('DynamoDB is down')) });
    await expect(processRecord(sqsRecord(body), TIME_LEFT, dependencies)).resolves.toBeUndefined();
    expect(dependencies.codestream.executions).toHaveLength(1);
    // The decision's write, then the delivery's own fields tried once more before the record is done.
    expect(dependencies.logger.named('The delivery log was not written').map((line) => line.attributes?.rules)).toEqual([['build'], []]);
    expect(dependencies.metrics.points.filter((point) => point.name === 'deliveryLogFailed')).toHaveLength(2);
  });
});
