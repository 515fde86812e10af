import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';
import { nativeInputNames } from '../../../cli/nativeInputNames';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { type SimulatedPipeline, loadSeed } from '../../../local/codestream-simulator/seed';
import { freePort } from '../../support/freePort';
import { REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';

const GIT_INPUTS = nativeInputNames({ when: { events: ['push'] } });
const DOCKER_INPUTS = nativeInputNames({ when: { events: ['artifact_push'] } });
const blank = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, '']));

const PIPELINES = {
  build: { id: 'b0000000-0000-4000-8000-000000000001', project: 'demo', name: 'build', input: { ...blank(GIT_INPUTS), TARGET: 'staging' } },
  deploy: { id: 'b0000000-0000-4000-8000-000000000002', project: 'demo', name: 'deploy-image', input: blank(DOCKER_INPUTS) },
  spaced: { id: 'b0000000-0000-4000-8000-000000000003', project: 'Platform Team', name: 'build & test', input: { ...blank(GIT_INPUTS), ENVIRONMENT: '' } },
  narrow: { id: 'b0000000-0000-4000-8000-000000000004', project: 'demo', name: 'narrow', input: { GIT_BRANCH_NAME: '' } },
  retired: { id: 'b0000000-0000-4000-8000-000000000005', project: 'demo', name: 'retired', enabled: false, input: blank(GIT_INPUTS) },
} satisfies Record<string, SimulatedPipeline>;

const HEADER = `codestream:
  url: https://vra.invalid
  auth: refreshToken
  secret: codestream/relay
sources:
  github:
    provider: github
    secrets: [webhooks/github]
rules:
`;

/** Both rule forms, every input declared and every empty default set: nothing to report. */
const CLEAN = `${HEADER}  - name: build-pushes
    when:
      events: [push]
    pipeline: { project: demo, name: build }
    input:
      TARGET: production
  - name: build-tags
    when:
      events: [tag]
    pipeline: { id: ${PIPELINES.build.id} }
  - name: build-branches
    when:
      events: [create]
    pipeline: { project: demo, name: build }
  - name: deploy-images
    when:
      events: [artifact_push]
    pipeline: { id: ${PIPELINES.deploy.id} }
  - name: spaced-names
    when:
      events: [pull_request]
    pipeline: { project: Platform Team, name: build & test }
    input:
      ENVIRONMENT: review
  - name: narrow-without-native
    nativeInput: false
    pipeline: { project: demo, name: narrow }
    input:
      GIT_BRANCH_NAME: \${event.git.branch}
`;

const PROBLEMS = `${HEADER}  - name: wrong-name
    when:
      events: [push]
    pipeline: { project: demo, name: biuld }
  - name: wrong-id
    pipeline: { id: 00000000-0000-4000-8000-00000000dead }
  - name: retired
    when:
      events: [push]
    pipeline: { id: ${PIPELINES.retired.id} }
  - name: extra-input
    when:
      events: [push]
    pipeline: { project: demo, name: build }
    input:
      TARGET: production
      CHANNEL: nightly
  - name: narrow-native
    when:
      events: [push]
    pipeline: { project: demo, name: narrow }
  - name: needs-environment
    when:
      events: [pull_request]
    pipeline: { project: Platform Team, name: build & test }
`;

let simulator: CodeStreamSimulator;
let url: string;
let directory: string;
let secrets: string;

beforeAll(async () => {
  simulator = await startSimulator({ seed: { users: [{ name: 'relay', refreshToken: REFRESH_TOKEN }], pipelines: Object.values(PIPELINES) } });
  url = simulator.url;
  directory = mkdtempSync(path.join(tmpdir(), 'relay-live-'));
  secrets = write('secrets.json', JSON.stringify({ 'codestream/relay': { refreshToken: REFRESH_TOKEN } }));
});

afterAll(async () => {
  await simulator.stop();
});

function write(name: string, text: string): string {
  const file = path.join(directory, name);
  writeFileSync(file, text);
  return file;
}

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

/** The 1-based line of the first line of `text` that contains `needle` after the line that contains `after`. */
function lineOf(text: string, after: string, needle: string): number {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(after));
  return lines.findIndex((line, index) => index >= start && line.includes(needle)) + 1;
}

/** The pipeline reads the simulator answered since `since`, as their paths. */
function readsSince(since: number): string[] {
  return simulator.requests.filter((request) => request.seq > since && request.endpoint === 'pipeline.get').map((request) => request.path);
}

const lastSeq = () => simulator.requests.at(-1)?.seq ?? 0;

describe('relay validate --live', () => {
  it('a config whose rules fit their pipelines: exit 0, each pipeline read once, by id or by project and name', async () => {
    const config = write('clean.yaml', CLEAN);
    const since = lastSeq();
    const { code, stdout, stderr } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', secrets);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(`${config}: valid: 1 sources, 6 rules; the rules fit the 5 pipelines they name in Code Stream at ${url}\n`);
    expect(readsSince(since).sort()).toEqual(
      [
        '/codestream/api/pipelines/demo/build',
        `/codestream/api/pipelines/${PIPELINES.build.id}`,
        `/codestream/api/pipelines/${PIPELINES.deploy.id}`,
        '/codestream/api/pipelines/Platform%20Team/build%20%26%20test',
        '/codestream/api/pipelines/demo/narrow',
      ].sort(),
    );
  });

  it('names each problem with its rule, line, pipeline and input, and what to do: exit 1', async () => {
    const config = write('problems.yaml', PROBLEMS);
    const { code, stdout, stderr } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', secrets);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    const lines = stderr.trimEnd().split('\n');
    const at = (rule: string, needle: string) => `${config}:${lineOf(PROBLEMS, `name: ${rule}`, needle)}:`;
    const undeclaredNative = GIT_INPUTS.filter((name) => name !== 'GIT_BRANCH_NAME');
    expect(lines).toHaveLength(4 + undeclaredNative.length + 2);
    expect(lines.at(-1)).toBe(`${config}: ${lines.length - 1} problems with the pipelines in Code Stream at ${url}`);
    expect(lines[0]).toMatch(
      new RegExp(`^${escape(at('wrong-name', 'pipeline:'))}\\d+: rule "wrong-name": rules\\[0\\]\\.pipeline: pipeline demo/biuld not found in Code Stream \\(404\\): correct the rule's pipeline project and name, or create the pipeline$`),
    );
    expect(lines[1]).toContain(`rule "wrong-id": rules[1].pipeline: pipeline 00000000-0000-4000-8000-00000000dead not found in Code Stream (404): correct the rule's pipeline id`);
    expect(lines[2]).toMatch(new RegExp(`^${escape(at('retired', 'pipeline:'))}\\d+: rule "retired": rules\\[2\\]\\.pipeline: pipeline ${PIPELINES.retired.id} is disabled`));
    expect(lines[2]).toContain('enable it in Code Stream, or point the rule at another pipeline');
    expect(lines[3]).toMatch(
      new RegExp(
        `^${escape(at('extra-input', 'CHANNEL'))}\\d+: rule "extra-input": rules\\[3\\]\\.input\\.CHANNEL: the rule sends input CHANNEL, which pipeline demo/build does not declare: declare CHANNEL in the pipeline, or remove it from the rule's input$`,
      ),
    );
    expect(lines[4]).toMatch(
      new RegExp(
        `^${escape(at('narrow-native', 'name: narrow-native'))}\\d+: rule "narrow-native": rules\\[4\\]\\.nativeInput: the rule sends the native input GIT_COMMIT_ID, which pipeline demo/narrow does not declare: declare GIT_COMMIT_ID in the pipeline, or set nativeInput: false on the rule$`,
      ),
    );
    expect(lines.slice(4, 4 + undeclaredNative.length).map((line) => /native input (\w+)/.exec(line)?.[1])).toEqual(undeclaredNative);
    expect(lines.at(-2)).toMatch(
      new RegExp(
        `^${escape(at('needs-environment', 'name: needs-environment'))}\\d+: rule "needs-environment": rules\\[5\\]\\.input: pipeline Platform Team/build & test declares input ENVIRONMENT with an empty default, and the rule never sets it: give ENVIRONMENT a default in the pipeline, or set it in the rule's input$`,
      ),
    );
  });

  it('nativeInput: false drops the native inputs from both checks', async () => {
    const rule = `${HEADER}  - name: narrow-native
    when:
      events: [push]
    nativeInput: false
    pipeline: { project: demo, name: narrow }
`;
    const unset = await relay('validate', '--live', '--config', write('native-off.yaml', rule), '--url', url, '--secrets', secrets, '--json');
    expect(unset.code).toBe(1);
    const { live } = JSON.parse(unset.stdout) as { live: { problems: Record<string, unknown>[] } };
    expect(live.problems).toEqual([expect.objectContaining({ rule: 'narrow-native', problem: 'missing_input', input: 'GIT_BRANCH_NAME' })]);

    const set = write('native-off-set.yaml', `${rule}    input:\n      GIT_BRANCH_NAME: main\n`);
    expect(await relay('validate', '--live', '--config', set, '--url', url, '--secrets', secrets)).toEqual({
      code: 0,
      stdout: expect.stringContaining('the rules fit the 1 pipeline they name'),
      stderr: '',
    });
  });

  it('without when.events a rule may send the native inputs of Git and of artifact events', async () => {
    const config = write('any-event.yaml', `${HEADER}  - name: anything\n    pipeline: { project: demo, name: build }\n`);
    const { code, stdout } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', secrets, '--json');
    expect(code).toBe(1);
    const { live } = JSON.parse(stdout) as { live: { problems: { input: string }[] } };
    expect(live.problems.map((problem) => problem.input)).toEqual(DOCKER_INPUTS);
  });

  it('--json: the offline summary plus the live check, valid or with every problem', async () => {
    const clean = write('clean.json.yaml', CLEAN);
    const valid = await relay('validate', '--live', '--config', clean, '--url', url, '--secrets', secrets, '--json');
    expect({ code: valid.code, stderr: valid.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(valid.stdout)).toEqual({ file: clean, valid: true, sources: 1, rules: 6, live: { codestream: url, pipelines: 5, problems: [] } });

    const config = write('problems.json.yaml', PROBLEMS);
    const { code, stdout, stderr } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', secrets, '--json');
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout) as { live: { problems: Record<string, unknown>[] } };
    expect(result).toMatchObject({ file: config, valid: false, sources: 1, rules: 6, live: { codestream: url, pipelines: 6 } });
    const { problems } = result.live;
    for (const problem of problems) expect(Object.keys(problem)).toEqual(['rule', 'line', 'pipeline', 'problem', 'input', 'message']);
    expect(problems.map(({ rule, line, pipeline, problem, input }) => ({ rule, line, pipeline, problem, input }))).toEqual([
      { rule: 'wrong-name', line: lineOf(PROBLEMS, 'name: wrong-name', 'pipeline:'), pipeline: 'demo/biuld', problem: 'not_found', input: null },
      { rule: 'wrong-id', line: lineOf(PROBLEMS, 'name: wrong-id', 'pipeline:'), pipeline: '00000000-0000-4000-8000-00000000dead', problem: 'not_found', input: null },
      { rule: 'retired', line: lineOf(PROBLEMS, 'name: retired', 'pipeline:'), pipeline: PIPELINES.retired.id, problem: 'disabled', input: null },
      { rule: 'extra-input', line: lineOf(PROBLEMS, 'name: extra-input', 'CHANNEL'), pipeline: 'demo/build', problem: 'undeclared_input', input: 'CHANNEL' },
      ...GIT_INPUTS.filter((name) => name !== 'GIT_BRANCH_NAME').map((input) => ({
        rule: 'narrow-native',
        line: lineOf(PROBLEMS, 'name: narrow-native', 'name: narrow-native'),
        pipeline: 'demo/narrow',
        problem: 'undeclared_input',
        input,
      })),
      {
        rule: 'needs-environment',
        line: lineOf(PROBLEMS, 'name: needs-environment', 'name: needs-environment'),
        pipeline: 'Platform Team/build & test',
        problem: 'missing_input',
        input: 'ENVIRONMENT',
      },
    ]);
  });

  it('an invalid config: the offline problems, exit 1, nothing read from Code Stream', async () => {
    const config = write('invalid.yaml', CLEAN.replace('events: [push]', 'evnts: [push]'));
    const since = lastSeq();
    const { code, stdout } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', secrets, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ file: config, valid: false, problems: [expect.objectContaining({ field: 'rules[0].when.evnts' })] });
    expect(simulator.requests.filter((request) => request.seq > since)).toEqual([]);
  });

  it('Code Stream unreachable: said once, exit 2', async () => {
    const config = write('unreachable.yaml', PROBLEMS);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await relay('validate', '--live', '--config', config, '--url', closed, '--secrets', secrets);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(`cannot read the pipelines from Code Stream at ${closed}: the connection to Code Stream failed with ECONNREFUSED (logging in at ${closed}/iaas/api/login)\n`);

    const json = await relay('validate', '--live', '--config', config, '--url', closed, '--secrets', secrets, '--json');
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 2, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({ error: 'codestream_unreachable', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('a 5xx from Code Stream counts as unreachable: exit 2', async () => {
    const config = write('five-hundred.yaml', CLEAN);
    simulator.setFaults({ script: [{ kind: 'status', status: 503 }], on: ['login'] });
    try {
      const { code, stdout } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', secrets, '--json');
      expect(code).toBe(2);
      expect(JSON.parse(stdout)).toEqual({ error: 'codestream_unreachable', message: `cannot read the pipelines from Code Stream at ${url}: the login at ${url}/iaas/api/login answered 503` });
    } finally {
      simulator.setFaults({});
    }
  });

  it('a refused refresh token: said once, exit 2, and the token never printed', async () => {
    const config = write('refused.yaml', PROBLEMS);
    const wrongToken = 'wrong-refresh-token-9f2c41d0b7';
    const wrong = write('wrong-secrets.json', JSON.stringify({ 'codestream/relay': { refreshToken: wrongToken } }));
    const { code, stdout, stderr } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', wrong);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toEqual([
      `Code Stream at ${url} refused the credential: the login at ${url}/iaas/api/login was refused with 400: check the "refreshToken" credential and the URL`,
    ]);
    const json = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', wrong, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: 'codestream_refused', message: expect.stringContaining('was refused with 400') });
    for (const output of [stdout, stderr, json.stdout, json.stderr]) {
      expect(output).not.toContain(wrongToken);
      expect(output).not.toContain(REFRESH_TOKEN);
    }
  });

  it('a secrets file without the credential: exit 2, naming the secret', async () => {
    const config = write('no-credential.yaml', CLEAN);
    const empty = write('empty-secrets.json', '{}');
    const { code, stdout } = await relay('validate', '--live', '--config', config, '--url', url, '--secrets', empty, '--json');
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      error: 'codestream_refused',
      message: `cannot read the pipelines from Code Stream: the Code Stream credentials: the secret "codestream/relay" is not in ${empty}`,
    });
  });

  it('--url or --secrets without --live is a usage error', async () => {
    const { code, stderr } = await relay('validate', '--url', url);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^--url and --secrets say where --live reads the pipelines: add --live, or leave them out\nusage: relay validate/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

it('the example config fits the example seed, so local mode’s walkthrough checks clean', async () => {
  const root = path.join(__dirname, '../../..');
  const example = await startSimulator({ seed: loadSeed(path.join(root, 'local/codestream-simulator/seed.example.json')) });
  try {
    const result = await relay('validate', '--live', '--config', path.join(root, 'relay.config.yaml'), '--url', example.url, '--secrets', path.join(root, 'relay.secrets.local.json'), '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, live: { problems: [] } });
    expect(result.code).toBe(0);
  } finally {
    await example.stop();
  }
});
