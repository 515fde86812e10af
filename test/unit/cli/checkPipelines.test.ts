import type { CodeStreamClient } from '../../../lambda/codestream/CodeStreamClient';
import type { SourceDefinition } from '../../../lambda/config/RelayConfig';
import type { RuleDefinition } from '../../../lambda/rules/RuleDefinition';
import { checkPipelines } from '../../../cli/checkPipelines';

const URL = 'https://vra.example.com';

/** Code Stream holding `pipelines` by read path; any other path is 404. Counts the reads. */
function codeStream(pipelines: Record<string, unknown>): Pick<CodeStreamClient, 'read'> & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: async (path: string) => {
      reads.push(path);
      const value = pipelines[path];
      return value === undefined ? { kind: 'notFound', stage: 'execute', status: 404, reason: 'Code Stream answered 404', snippet: '' } : { kind: 'read', value };
    },
  };
}

const BUILD = '/codestream/api/pipelines/demo/build';

describe('checkPipelines', () => {
  it('reads each distinct pipeline once, and nothing more once one cannot be read', async () => {
    const client = codeStream({ [BUILD]: { input: {} }, '/codestream/api/pipelines/p1': { input: {} } });
    const rules: RuleDefinition[] = [
      { name: 'a', pipeline: { project: 'demo', name: 'build' }, nativeInput: false },
      { name: 'b', pipeline: { id: 'p1' }, nativeInput: false },
      { name: 'c', pipeline: { project: 'demo', name: 'build' }, nativeInput: false },
    ];
    expect(await checkPipelines({ rules, sources: {} }, client, URL)).toEqual({ pipelines: 2, problems: [] });
    expect(client.reads).toEqual([BUILD, '/codestream/api/pipelines/p1']);

    let reads = 0;
    const failing: Pick<CodeStreamClient, 'read'> = {
      read: async () => {
        reads += 1;
        return { kind: 'retryable', stage: 'execute', cause: 'status', status: 502, reason: 'Code Stream answered 502 to reading pipeline demo/build', snippet: '' };
      },
    };
    await expect(checkPipelines({ rules, sources: {} }, failing, URL)).rejects.toMatchObject({ code: 'codestream_unreachable', exit: 2 });
    expect(reads).toBe(1);
  });

  it('a disabled pipeline is still checked for its inputs', async () => {
    const client = codeStream({ [BUILD]: { enabled: false, input: { NEEDED: '' } } });
    const { problems } = await checkPipelines({ rules: [{ name: 'a', pipeline: { project: 'demo', name: 'build' }, nativeInput: false, input: { EXTRA: 'x' } }], sources: {} }, client, URL);
    expect(problems.map(({ problem, input, path }) => ({ problem, input, path }))).toEqual([
      { problem: 'disabled', input: null, path: ['rules', 0, 'pipeline'] },
      { problem: 'undeclared_input', input: 'EXTRA', path: ['rules', 0, 'input', 'EXTRA'] },
      { problem: 'missing_input', input: 'NEEDED', path: ['rules', 0, 'input'] },
    ]);
  });

  it('a rule input that overrides a native one is reported once, as the rule’s', async () => {
    const client = codeStream({ [BUILD]: { input: { GIT_BRANCH_NAME: '' } } });
    const rule: RuleDefinition = { name: 'a', when: { events: ['push'] }, pipeline: { project: 'demo', name: 'build' }, input: { GIT_COMMIT_ID: '${event.git.after}' } };
    const { problems } = await checkPipelines({ rules: [rule], sources: { github: { provider: 'github', secrets: ['s'] } } }, client, URL);
    expect(problems.filter((problem) => problem.input === 'GIT_COMMIT_ID')).toEqual([expect.objectContaining({ path: ['rules', 0, 'input', 'GIT_COMMIT_ID'], message: expect.stringContaining('remove it from the rule') })]);
    expect(problems.find((problem) => problem.input === 'GIT_BRANCH_NAME')).toBeUndefined();
  });

  it('a default that is set, or a value that is not empty, needs nothing from the rule', async () => {
    const client = codeStream({ [BUILD]: { input: { ZERO: 0, FALSE: false, SET: 'x', NULL: null, EMPTY: '' } } });
    const { problems } = await checkPipelines({ rules: [{ name: 'a', pipeline: { project: 'demo', name: 'build' }, nativeInput: false }], sources: {} }, client, URL);
    expect(problems.map((problem) => problem.input)).toEqual(['NULL', 'EMPTY']);
  });

  it('sends only the native inputs the providers of the rule’s sources can fill', async () => {
    const client = codeStream({ [BUILD]: { input: {} } });
    const sources: Record<string, SourceDefinition> = { github: { provider: 'github', secrets: ['s'] }, harbor: { provider: 'harbor', secrets: ['s'] }, gitlab: { provider: 'gitlab', secrets: ['s'] } };
    const inputsOf = async (rule: RuleDefinition, from: Record<string, SourceDefinition>) =>
      (await checkPipelines({ rules: [rule], sources: from }, client, URL)).problems.map((problem) => problem.input?.split('_')[0]);
    const pipeline = { project: 'demo', name: 'build' };

    expect(new Set(await inputsOf({ name: 'a', pipeline, when: { sources: ['gitlab'] } }, { ...sources }))).toEqual(new Set(['GIT']));
    expect(new Set(await inputsOf({ name: 'a', pipeline, when: { sources: ['harbor'] } }, { ...sources }))).toEqual(new Set(['DOCKER']));
    expect(new Set(await inputsOf({ name: 'a', pipeline }, { gitlab: sources.gitlab! }))).toEqual(new Set(['GIT']));
    expect(new Set(await inputsOf({ name: 'a', pipeline, when: { sources: ['github'] } }, { ...sources }))).toEqual(new Set(['GIT', 'DOCKER']));
    expect(new Set(await inputsOf({ name: 'a', pipeline, when: { sources: ['github'], events: ['push'] } }, { ...sources }))).toEqual(new Set(['GIT']));
  });
});
