import type { CodeStreamClient } from '../lambda/codestream/CodeStreamClient';
import type { Failure } from '../lambda/codestream/Outcome';
import type { PipelineRef } from '../lambda/codestream/types';
import { codeStreamUnavailable } from './codeStreamForCli';

/** What a rule's check needs of a pipeline (the swagger's `Pipeline`): whether it runs, and its declared inputs with their defaults. */
export interface PipelineDefinition {
  enabled: boolean;
  input: Record<string, unknown>;
}

/** A pipeline as a rule names it: its id, or project/name. */
export function pipelineLabel(pipeline: PipelineRef): string {
  return 'id' in pipeline ? pipeline.id : `${pipeline.project}/${pipeline.name}`;
}

/**
 * Reads a pipeline with `GET /codestream/api/pipelines/{id}` or `…/{project}/{name}`; undefined
 * when Code Stream has none (404).
 * @throws CommandError, exit 2, when Code Stream cannot be reached or refuses the credential:
 *   nothing can be checked then, so the command says so once rather than for every rule.
 */
export async function readPipeline(codeStream: Pick<CodeStreamClient, 'read'>, pipeline: PipelineRef, url: string): Promise<PipelineDefinition | undefined> {
  const path =
    'id' in pipeline
      ? `/codestream/api/pipelines/${encodeURIComponent(pipeline.id)}`
      : `/codestream/api/pipelines/${encodeURIComponent(pipeline.project)}/${encodeURIComponent(pipeline.name)}`;
  const what = `reading pipeline ${pipelineLabel(pipeline)}`;
  const answer = await codeStream.read(path, {}, what);
  if (answer.kind === 'notFound') return undefined;
  if (answer.kind !== 'read') throw codeStreamUnavailable(answer, url, 'the pipelines');
  const { value } = answer;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const notPipeline: Failure = { kind: 'rejected', stage: 'execute', status: 200, reason: `the answer to ${what} is not a pipeline (is ${url} Code Stream's URL?)`, snippet: '' };
    throw codeStreamUnavailable(notPipeline, url, 'the pipelines');
  }
  const { enabled, input } = value as { enabled?: unknown; input?: unknown };
  return { enabled: enabled !== false, input: declaredInputs(input) };
}

/** The swagger types `input` as an object, a map of name → default, but its example is a list of such maps: both are read. */
function declaredInputs(input: unknown): Record<string, unknown> {
  const maps = Array.isArray(input) ? (input as unknown[]) : [input];
  return Object.assign({}, ...maps.filter((map) => map !== null && typeof map === 'object' && !Array.isArray(map))) as Record<string, unknown>;
}
