import type { CodeStreamClient } from '../lambda/codestream/CodeStreamClient';
import type { RelayConfig } from '../lambda/config/RelayConfig';
import type { ProviderName } from '../lambda/events/CanonicalEvent';
import type { RuleDefinition } from '../lambda/rules/RuleDefinition';
import type { Path } from '../lambda/config/configLocator';
import { nativeInputNames } from './nativeInputNames';
import { type PipelineDefinition, pipelineLabel, readPipeline } from './readPipeline';

export type PipelineProblemKind = 'not_found' | 'disabled' | 'undeclared_input' | 'missing_input';

/** One way a rule and the pipeline it names in Code Stream disagree. */
export interface PipelineProblem {
  rule: string;
  /** Where in the config to point: the rule's pipeline, one of its inputs, or the rule. */
  path: Path;
  /** The pipeline as the rule names it: its id, or project/name. */
  pipeline: string;
  problem: PipelineProblemKind;
  input: string | null;
  message: string;
}

/**
 * Checks each rule against the pipeline it names, read from Code Stream once per pipeline: found,
 * enabled, declaring every input the rule may send, and every input without a default set by the
 * rule. Problems come in rule order.
 * @throws CommandError, exit 2, when Code Stream cannot be reached or refuses the credential.
 */
export async function checkPipelines(
  { rules, sources }: Pick<RelayConfig, 'rules' | 'sources'>,
  codeStream: Pick<CodeStreamClient, 'read'>,
  url: string,
): Promise<{ pipelines: number; problems: PipelineProblem[] }> {
  const pipelines = new Map<string, PipelineDefinition | undefined>();
  // One at a time: the first read that cannot succeed ends the check, before any other waits on the same failure.
  for (const rule of rules) {
    const key = pipelineKey(rule.pipeline);
    if (!pipelines.has(key)) pipelines.set(key, await readPipeline(codeStream, rule.pipeline, url));
  }
  return { pipelines: pipelines.size, problems: rules.flatMap((rule, index) => problemsOf(rule, index, pipelines.get(pipelineKey(rule.pipeline)), providersOf(rule, sources))) };
}

/** An id and a project/name are distinct references, even where they name the same pipeline. */
function pipelineKey(pipeline: RuleDefinition['pipeline']): string {
  return 'id' in pipeline ? `id:${pipeline.id}` : `name:${pipeline.project}/${pipeline.name}`;
}

function problemsOf(rule: RuleDefinition, index: number, pipeline: PipelineDefinition | undefined, providers: ProviderName[]): PipelineProblem[] {
  const label = pipelineLabel(rule.pipeline);
  const problem = (kind: PipelineProblemKind, path: Path, input: string | null, message: string): PipelineProblem => ({
    rule: rule.name,
    path: ['rules', index, ...path],
    pipeline: label,
    problem: kind,
    input,
    message,
  });
  if (!pipeline) {
    const named = 'id' in rule.pipeline ? 'id' : 'project and name';
    return [problem('not_found', ['pipeline'], null, `pipeline ${label} not found in Code Stream (404): correct the rule's pipeline ${named}, or create the pipeline`)];
  }
  const problems: PipelineProblem[] = [];
  if (!pipeline.enabled) {
    problems.push(problem('disabled', ['pipeline'], null, `pipeline ${label} is disabled, so its executions fail: enable it in Code Stream, or point the rule at another pipeline`));
  }
  const own = Object.keys(rule.input ?? {});
  const native = nativeInputNames(rule, providers).filter((name) => !own.includes(name));
  const declared = (name: string) => Object.hasOwn(pipeline.input, name);
  for (const name of own.filter((each) => !declared(each))) {
    problems.push(
      problem('undeclared_input', ['input', name], name, `the rule sends input ${name}, which pipeline ${label} does not declare: declare ${name} in the pipeline, or remove it from the rule's input`),
    );
  }
  for (const name of native.filter((each) => !declared(each))) {
    problems.push(
      problem(
        'undeclared_input',
        ['nativeInput'],
        name,
        `the rule sends the native input ${name}, which pipeline ${label} does not declare: declare ${name} in the pipeline, or set nativeInput: false on the rule`,
      ),
    );
  }
  for (const [name, value] of Object.entries(pipeline.input)) {
    if (!isEmpty(value) || own.includes(name) || native.includes(name)) continue;
    problems.push(
      problem(
        'missing_input',
        ['input'],
        name,
        `pipeline ${label} declares input ${name} with an empty default, and the rule never sets it: give ${name} a default in the pipeline, or set it in the rule's input`,
      ),
    );
  }
  return problems;
}

/** The providers of the sources the rule hears from: its `when.sources`, else every source. */
function providersOf(rule: RuleDefinition, sources: RelayConfig['sources']): ProviderName[] {
  const names = rule.when?.sources ?? Object.keys(sources);
  return names.flatMap((name) => (Object.hasOwn(sources, name) ? [sources[name]!.provider] : []));
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
