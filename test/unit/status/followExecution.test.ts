import type { Failure } from '../../../lambda/codestream/Outcome';
import type { ExecutionRead } from '../../../lambda/codestream/executionState';
import type { CommitStatus, PostOutcome, StatusCredential, StatusTarget } from '../../../lambda/status/CommitStatus';
import { type FollowDependencies, followExecution } from '../../../lambda/status/followExecution';
import type { FollowMessage } from '../../../lambda/status/FollowMessage';
import { FixedClock } from '../../support/fakeRelayDependencies';
import { RecordingDeliveryLog } from '../../support/RecordingDeliveryLog';
import { RecordingLogger, RecordingMetrics } from '../../support/recordingObservability';

const CREATED = new Date('2026-11-30T12:00:00.000Z');
const TARGET: StatusTarget = { provider: 'github', apiUrl: 'https://api.github.com', repository: 'acme/app', sha: 'a'.repeat(40) };
const LINK = 'https://vra.corp.example/codestream/#/executions/e-1';

/** A Git server that answers with the outcomes scripted, then `posted`, and keeps what it was sent. */
class ScriptedPoster {
  readonly posts: { target: StatusTarget; status: CommitStatus; credential: StatusCredential }[] = [];
  constructor(private readonly script: PostOutcome[] = []) {}
  async post(target: StatusTarget, status: CommitStatus, credential: StatusCredential): Promise<PostOutcome> {
    this.posts.push({ target, status, credential });
    return this.script.shift() ?? { kind: 'posted', status: 201 };
  }
}

/** A Code Stream whose execution reads as scripted, the last answer repeating. */
function codestream(...reads: (ExecutionRead | Failure)[]) {
  const calls: string[] = [];
  return {
    calls,
    async readExecution(id: string) {
      calls.push(id);
      return (reads.length > 1 ? reads.shift() : reads[0]) as ExecutionRead | Failure;
    },
  };
}

const running: ExecutionRead = { kind: 'execution', status: 'RUNNING', statusMessage: '', ended: false };
const completed: ExecutionRead = { kind: 'execution', status: 'COMPLETED', statusMessage: 'Execution Completed.', ended: true, result: 'success' };
const failed: ExecutionRead = { kind: 'execution', status: 'FAILED', statusMessage: "Task 'deploy' failed.", ended: true, result: 'failure' };

function setup(options: { poster?: ScriptedPoster; reads?: (ExecutionRead | Failure)[]; clock?: FixedClock } = {}) {
  const sent: { message: FollowMessage; delaySeconds: number }[] = [];
  const poster = options.poster ?? new ScriptedPoster();
  const clock = options.clock ?? new FixedClock(CREATED);
  const dependencies: FollowDependencies & { logger: RecordingLogger; metrics: RecordingMetrics; deliveries: RecordingDeliveryLog } = {
    reporting: {
      posterFor: () => poster,
      credentialOf: async () => ({ kind: 'token', token: 'ghp_test-token-never-logged' }),
      follows: { send: async (message, delaySeconds) => void sent.push({ message: structuredClone(message), delaySeconds }) },
      schedule: { firstCheckSeconds: 10, maxAgeMs: 24 * 3_600_000, maxPostAttempts: 3 },
    },
    codestream: codestream(...(options.reads ?? [running])),
    deliveries: new RecordingDeliveryLog(),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    now: () => clock.now(),
  };
  return { dependencies, poster, sent, clock };
}

function first(): FollowMessage {
  return {
    version: 1,
    follow: {
      source: 'github',
      deliveryId: 'd-1',
      receivedAt: CREATED.toISOString(),
      rule: 'build',
      event: 0,
      executionId: 'e-1',
      executionLink: LINK,
      pipeline: 'demo/build',
      context: 'codestream/build',
      target: TARGET,
      createdAt: CREATED.toISOString(),
      checks: 0,
      pending: { state: 'pending', description: 'Code Stream demo/build: running', attempts: 0 },
    },
  };
}

describe('following an execution for its commit status', () => {
  it('posts pending with the execution’s link, then looks again later, each look twice as late', async () => {
    const { dependencies, poster, sent } = setup();
    await followExecution(first(), dependencies);
    expect(poster.posts.map((post) => post.status)).toEqual([{ state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl: LINK }]);
    expect(sent.map((next) => [next.delaySeconds, next.message.follow.checks, next.message.follow.posted, next.message.follow.pending])).toEqual([[10, 1, 'pending', undefined]]);
    await followExecution(sent[0]!.message, dependencies);
    await followExecution(sent[1]!.message, dependencies);
    expect(sent.map((next) => next.delaySeconds)).toEqual([10, 20, 40]);
    expect(poster.posts).toHaveLength(1);
  });

  it('posts success when the execution completed, failure when it failed, with Code Stream’s message, and stops', async () => {
    for (const [read, state, description] of [
      [completed, 'success', 'Code Stream demo/build: completed: Execution Completed.'],
      [failed, 'failure', "Code Stream demo/build: failed: Task 'deploy' failed."],
    ] as const) {
      const { dependencies, poster, sent } = setup({ reads: [read] });
      await followExecution(first(), dependencies);
      expect(poster.posts.map((post) => [post.status.state, post.status.description])).toEqual([
        ['pending', 'Code Stream demo/build: running'],
        [state, description],
      ]);
      expect(sent).toEqual([]);
      expect(dependencies.deliveries.reports.map((entry) => [entry.report.state, entry.report.posted])).toEqual([
        ['pending', true],
        [state, true],
      ]);
    }
  });

  it('names the pipeline as Code Stream does once it has read the execution', async () => {
    const { dependencies, poster, sent } = setup({ reads: [{ ...running, pipeline: 'demo/build', index: 12 }, { ...completed, pipeline: 'demo/build', index: 12 }] });
    const byId = first();
    byId.follow.pipeline = '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11';
    await followExecution(byId, dependencies);
    await followExecution(sent[0]!.message, dependencies);
    expect(poster.posts.map((post) => post.status.description)).toEqual([
      'Code Stream demo/build: running',
      'Code Stream demo/build #12: completed: Execution Completed.',
    ]);
  });

  it('retries a post that failed in a way worth retrying, later, then gives up and records why', async () => {
    const retry: PostOutcome = { kind: 'retry', status: 503, reason: 'GitHub answered 503' };
    const { dependencies, poster, sent } = setup({ poster: new ScriptedPoster([retry, retry, retry]) });
    await followExecution(first(), dependencies);
    expect(sent.map((next) => [next.delaySeconds, next.message.follow.pending?.attempts])).toEqual([[10, 1]]);
    await followExecution(sent[0]!.message, dependencies);
    expect(sent.map((next) => [next.delaySeconds, next.message.follow.pending?.attempts])).toEqual([
      [10, 1],
      [20, 2],
    ]);
    await followExecution(sent[1]!.message, dependencies);
    expect(poster.posts).toHaveLength(3);
    expect(dependencies.logger.named('Commit status not posted')).toEqual([
      expect.objectContaining({ level: 'error', attributes: expect.objectContaining({ state: 'pending', attempts: 3, reason: 'GitHub answered 503 (given up after 3 attempts)' }) }),
    ]);
    expect(dependencies.metrics.points).toContainEqual({ name: 'statusNotPosted', unit: 'Count', value: 1 });
    expect(dependencies.deliveries.reports.at(-1)?.report).toMatchObject({ state: 'pending', posted: false, attempts: 3 });
    // The execution is still followed: its end may yet be posted.
    expect(sent.at(-1)?.message.follow).toMatchObject({ checks: 1, pending: undefined });
  });

  it('records a refused post at once, and keeps following for the end', async () => {
    const { dependencies, poster, sent } = setup({ poster: new ScriptedPoster([{ kind: 'failed', status: 401, reason: 'GitHub answered 401: the token is not valid' }]), reads: [completed] });
    await followExecution(first(), dependencies);
    expect(poster.posts.map((post) => post.status.state)).toEqual(['pending', 'success']);
    expect(dependencies.deliveries.reports.map((entry) => [entry.report.state, entry.report.posted, entry.report.reason])).toEqual([
      ['pending', false, 'GitHub answered 401: the token is not valid'],
      ['success', true, undefined],
    ]);
    expect(sent).toEqual([]);
  });

  it('waits for Retry-After when the server gives one longer than the backoff', async () => {
    const { dependencies, sent } = setup({ poster: new ScriptedPoster([{ kind: 'retry', status: 429, reason: 'rate limited', retryAfterMs: 120_000 }]) });
    await followExecution(first(), dependencies);
    expect(sent.map((next) => next.delaySeconds)).toEqual([120]);
  });

  it('posts error when the execution outlives the maximum age', async () => {
    const clock = new FixedClock(CREATED);
    const { dependencies, poster, sent } = setup({ clock });
    await followExecution(first(), dependencies);
    clock.advance(24 * 3_600_000);
    await followExecution(sent[0]!.message, dependencies);
    expect(poster.posts.at(-1)?.status).toMatchObject({ state: 'error', description: 'Code Stream demo/build: still not ended after 24 h; the relay stopped following it' });
    expect(sent).toHaveLength(1);
  });

  it('posts error when Code Stream says the execution is gone; looks again later when Code Stream cannot be reached', async () => {
    const gone: Failure = { kind: 'notFound', stage: 'execute', status: 404, reason: 'Code Stream has no execution e-1', snippet: '' };
    const unreachable: Failure = { kind: 'retryable', stage: 'execute', cause: 'connection', reason: 'connection refused', snippet: '' };
    const { dependencies, poster, sent } = setup({ reads: [unreachable, gone] });
    await followExecution(first(), dependencies);
    expect(sent.map((next) => next.delaySeconds)).toEqual([10]);
    expect(dependencies.logger.named('Could not read the execution; looking again later')).toHaveLength(1);
    await followExecution(sent[0]!.message, dependencies);
    expect(poster.posts.at(-1)?.status).toMatchObject({ state: 'error', description: 'Code Stream demo/build: the relay cannot read the execution (Code Stream has no execution e-1)' });
  });

  it('never logs or records the credential', async () => {
    const { dependencies } = setup({ poster: new ScriptedPoster([{ kind: 'failed', status: 403, reason: 'GitHub answered 403' }]), reads: [failed] });
    await followExecution(first(), dependencies);
    const written = [...dependencies.logger.lines.map((line) => JSON.stringify(line)), ...dependencies.deliveries.texts()].join('\n');
    expect(written).not.toContain('ghp_test-token-never-logged');
  });
});
