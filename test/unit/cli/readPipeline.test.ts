import type { CodeStreamClient } from '../../../lambda/codestream/CodeStreamClient';
import type { Failure } from '../../../lambda/codestream/Outcome';
import { CommandError } from '../../../cli/errors';
import { pipelineLabel, readPipeline } from '../../../cli/readPipeline';

const URL = 'https://vra.example.com';

/** A client whose read answers `answer`, recording what was asked. */
function answering(answer: Awaited<ReturnType<CodeStreamClient['read']>>): Pick<CodeStreamClient, 'read'> & { asked: unknown[][] } {
  const asked: unknown[][] = [];
  return {
    asked,
    read: async (...args: unknown[]) => {
      asked.push(args);
      return answer;
    },
  };
}

async function failure(outcome: Failure): Promise<CommandError> {
  const error: unknown = await readPipeline(answering(outcome), { id: 'p1' }, URL).catch((caught: unknown) => caught);
  if (!(error instanceof CommandError)) throw new Error(`expected a CommandError, got ${String(error)}`);
  return error;
}

describe('readPipeline', () => {
  it('reads by id or by project and name, each segment encoded', async () => {
    const client = answering({ kind: 'read', value: { enabled: true, input: {} } });
    await readPipeline(client, { id: 'a/b' }, URL);
    await readPipeline(client, { project: 'Platform Team', name: 'build & test' }, URL);
    expect(client.asked).toEqual([
      ['/codestream/api/pipelines/a%2Fb', {}, 'reading pipeline a/b'],
      ['/codestream/api/pipelines/Platform%20Team/build%20%26%20test', {}, 'reading pipeline Platform Team/build & test'],
    ]);
  });

  it('whether it is enabled (unless Code Stream says false) and its declared inputs', async () => {
    expect(await readPipeline(answering({ kind: 'read', value: { enabled: false, input: { A: '', B: 'x' } } }), { id: 'p1' }, URL)).toEqual({ enabled: false, input: { A: '', B: 'x' } });
    expect(await readPipeline(answering({ kind: 'read', value: { name: 'build' } }), { id: 'p1' }, URL)).toEqual({ enabled: true, input: {} });
    // The swagger's example gives `input` as a list of maps.
    expect(await readPipeline(answering({ kind: 'read', value: { input: [{ A: '' }, { B: 'x' }] } }), { id: 'p1' }, URL)).toEqual({ enabled: true, input: { A: '', B: 'x' } });
  });

  it('undefined for 404', async () => {
    expect(await readPipeline(answering({ kind: 'notFound', stage: 'execute', status: 404, reason: 'Code Stream answered 404', snippet: '' }), { id: 'p1' }, URL)).toBeUndefined();
  });

  it.each([
    [{ kind: 'unauthorized', stage: 'login', status: 400, reason: 'the login was refused with 400', snippet: 'token-in-snippet' }, 'codestream_refused', `Code Stream at ${URL} refused the credential: the login was refused with 400`],
    [{ kind: 'forbidden', stage: 'execute', status: 403, reason: 'Code Stream answered 403 to reading pipeline p1', snippet: '' }, 'codestream_refused', `Code Stream at ${URL} refused the credential: Code Stream answered 403 to reading pipeline p1`],
    [{ kind: 'unauthorized', stage: 'credentials', reason: 'the secret is not in the file', snippet: '' }, 'codestream_refused', 'cannot read the pipelines from Code Stream: the secret is not in the file'],
    [{ kind: 'retryable', stage: 'execute', cause: 'status', status: 503, reason: 'Code Stream answered 503 to reading pipeline p1', snippet: '' }, 'codestream_unreachable', `cannot read the pipelines from Code Stream at ${URL}: Code Stream answered 503 to reading pipeline p1`],
    [{ kind: 'tls', stage: 'login', cause: 'untrusted', reason: "Code Stream's certificate is not trusted", snippet: '' }, 'codestream_unreachable', `cannot read the pipelines from Code Stream at ${URL}: Code Stream's certificate is not trusted`],
    [{ kind: 'rejected', stage: 'execute', status: 200, reason: "Code Stream's answer to reading pipeline p1 is not JSON", snippet: '<html>' }, 'codestream_unreachable', `cannot read the pipelines from Code Stream at ${URL}: Code Stream's answer to reading pipeline p1 is not JSON`],
  ] satisfies [Failure, string, string][])('%j: exit 2, %s', async (outcome, code, message) => {
    const error = await failure(outcome);
    expect({ code: error.code, exit: error.exit, message: error.message }).toEqual({ code, exit: 2, message });
  });

  it('an answer that is no pipeline: exit 2, asking whether the URL is right', async () => {
    const error: unknown = await readPipeline(answering({ kind: 'read', value: ['not', 'a', 'pipeline'] }), { id: 'p1' }, URL).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'codestream_unreachable', exit: 2, message: expect.stringContaining(`is ${URL} Code Stream's URL?`) });
  });

  it('labels a pipeline as a rule names it', () => {
    expect(pipelineLabel({ id: 'p1' })).toBe('p1');
    expect(pipelineLabel({ project: 'demo', name: 'build' })).toBe('demo/build');
  });
});
