import type { CodeStreamClient, Deadline, ExecutionLookup } from '../../lambda/codestream/CodeStreamClient';
import { classifyExecuteAnswer } from '../../lambda/codestream/classifyResponse';
import { classifyTransportError } from '../../lambda/codestream/classifyTransportError';
import type { Failure, Outcome } from '../../lambda/codestream/Outcome';
import type { ExecutionRead } from '../../lambda/codestream/executionState';
import { type ExecutionRequest, type PipelineRef, describePipeline } from '../../lambda/codestream/types';

/**
 * What Code Stream does with one execute call: an HTTP answer (a 2xx starts the execution), or no
 * answer before the client's timeout, after which the execution may have started anyway.
 */
export type ScriptedAnswer = { status: number; headers?: Record<string, string>; body?: string } | { timeout: true; started: boolean };

export const CODESTREAM_URL = 'https://vra.example.com';
const CLIENT_TIMEOUT_MS = 10_000;

/** An execution that Code Stream started, as its list of executions shows it. */
export interface StartedExecution {
  executionId: string;
  executionLink: string;
  pipeline: PipelineRef;
  tags: string[];
}

/**
 * The Code Stream client as the relay sees it, answering execute calls as scripted, in order, and
 * classifying each answer as the real client does. Executions it started are found by
 * lookupExecution, by their tags, as Code Stream's execution list finds them.
 */
export class ScriptedCodeStream implements Pick<CodeStreamClient, 'execute' | 'lookupExecution' | 'readExecution'> {
  readonly #script: ScriptedAnswer[];
  /** Every execute call, in order. */
  readonly calls: { pipeline: PipelineRef; request: ExecutionRequest }[] = [];
  /** Every lookup, in order: `since` is how far back it was asked to look (epoch ms). */
  readonly lookups: { pipeline: PipelineRef; tags: readonly string[]; since?: number }[] = [];
  readonly executions: StartedExecution[] = [];
  /** What reading an execution answers: running, until a test says otherwise. */
  executionRead: ExecutionRead | Failure = { kind: 'execution', status: 'RUNNING', statusMessage: '', ended: false };
  /** Every execution read, by id. */
  readonly reads: string[] = [];

  constructor(script: ScriptedAnswer[]) {
    this.#script = [...script];
  }

  async execute(pipeline: PipelineRef, request: ExecutionRequest): Promise<Outcome> {
    this.calls.push({ pipeline, request });
    const answer = this.#script.shift();
    const described = describePipeline(pipeline);
    if (answer === undefined) throw new Error(`Code Stream was called ${this.calls.length} times, more than the test scripted (${described})`);
    if ('timeout' in answer) {
      if (answer.started) this.#start(pipeline, request);
      return classifyTransportError(Object.assign(new Error('timeout of 10000ms exceeded'), { code: 'ECONNABORTED' }), 'execute', `executing ${described}`, CLIENT_TIMEOUT_MS);
    }
    let body = answer.body ?? '{"message":"scripted"}';
    if (answer.status >= 200 && answer.status < 300) {
      const { executionId, executionLink } = this.#start(pipeline, request);
      body = answer.body ?? JSON.stringify({ executionId, executionIndex: this.executions.length, executionLink: new URL(executionLink).pathname });
    }
    return classifyExecuteAnswer({ status: answer.status, headers: answer.headers ?? {}, body }, { baseUrl: CODESTREAM_URL, pipeline: described, now: Date.now(), secrets: [] });
  }

  async lookupExecution(pipeline: PipelineRef, tags: readonly string[], _deadline?: Deadline, since?: number): Promise<ExecutionLookup> {
    this.lookups.push({ pipeline, tags, ...(since === undefined ? {} : { since }) });
    const found = this.executions.find(
      (execution) => describePipeline(execution.pipeline) === describePipeline(pipeline) && tags.every((tag) => execution.tags.includes(tag)),
    );
    return found ? { found: true, executionId: found.executionId, executionLink: found.executionLink } : { found: false };
  }

  async readExecution(id: string): Promise<ExecutionRead | Failure> {
    this.reads.push(id);
    return this.executionRead;
  }

  #start(pipeline: PipelineRef, request: ExecutionRequest): StartedExecution {
    const executionId = `0f6c1d2e-0000-4000-8000-${String(this.executions.length + 1).padStart(12, '0')}`;
    const execution = { executionId, executionLink: `${CODESTREAM_URL}/codestream/api/executions/${executionId}`, pipeline, tags: request.tags ?? [] };
    this.executions.push(execution);
    return execution;
  }
}
