import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';

const ROOT = path.join(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/webhooks');
const CONFIG = path.join(ROOT, 'relay.config.yaml');

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

function brokenConfig(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'broken.yaml');
  writeFileSync(file, readFileSync(CONFIG, 'utf8').replace('branches: [main, master, develop, "release/*"]', 'branchs: [main]'));
  return file;
}

describe('--help and --version', () => {
  it.each([
    [['validate'], 'usage: relay validate'],
    [['test'], 'usage: relay test'],
    [['schema'], 'usage: relay schema'],
    [['replay'], 'usage: relay replay ID'],
    [['import'], 'usage: relay import'],
    [['dlq'], 'usage: relay dlq list'],
    [['dlq', 'list'], 'usage: relay dlq list'],
    [['dlq', 'show'], 'usage: relay dlq show ID'],
    [['dlq', 'redrive'], 'usage: relay dlq redrive'],
    [[], 'usage: relay <command>'],
  ])('relay %j --help prints that usage on stdout and exits 0', async (command, start) => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await relay(...command, flag);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.startsWith(start)).toBe(true);
    }
  });

  it('--help wins over missing or wrong options', async () => {
    expect(await relay('test', '--bogus', '--help')).toEqual({ code: 0, stdout: expect.stringMatching(/^usage: relay test /), stderr: '' });
    expect((await relay('dlq', 'show', '--help')).code).toBe(0);
  });

  it('a wrong option prints the message and that command’s usage on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await relay('validate', '--cfg', 'x');
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^Unknown option '--cfg'.*\nusage: relay validate \[--config FILE\] \[--json\]\n/s);
    expect((await relay('dlq', 'redrive', '--bogus')).stderr).toContain('usage: relay dlq redrive');
    expect((await relay('schema', 'extra')).code).toBe(2);
  });

  it('the top-level usage lists every command', async () => {
    const { stdout } = await relay('--help');
    for (const command of ['validate', 'test', 'schema', 'dlq list', 'dlq show', 'dlq redrive', 'replay ID', 'replay ID --execute', 'import']) {
      expect(stdout).toContain(`\n  ${command}`);
    }
  });

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await relay('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await relay('-V')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('relay validate --json', () => {
  it('a valid config: the file and its counts, exit 0', async () => {
    const { code, stdout, stderr } = await relay('validate', '--config', CONFIG, '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ file: CONFIG, valid: true, sources: 14, rules: expect.any(Number) });
  });

  it('an invalid config: every problem with line, column, rule, field and message, exit 1', async () => {
    const file = brokenConfig();
    const { code, stdout, stderr } = await relay('validate', '--config', file, '--json');
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({
      file,
      valid: false,
      problems: [{ line: expect.any(Number), column: 7, rule: 'build-main-lines', field: 'rules[0].when.branchs', message: 'unknown key "branchs"' }],
    });
  });

  it('a problem with no place has null line, column and rule', async () => {
    const file = '/nonexistent/relay.yaml';
    const { code, stdout } = await relay('validate', '--config', file, '--json');
    expect(code).toBe(1);
    const [problem] = (JSON.parse(stdout) as { problems: Record<string, unknown>[] }).problems;
    expect(problem).toMatchObject({ line: null, column: null, rule: null });
  });
});

describe('with --json, errors are one JSON object on stdout', () => {
  it.each([
    [['validate', '--cfg', 'x', '--json'], 2, 'usage'],
    [['deploy', '--json'], 2, 'usage'],
    [['test', '--json', '--config', CONFIG, '--source', 'github'], 2, 'usage'],
    [['test', '--json', '--config', CONFIG, '--source', 'svn', '--body', CONFIG], 2, 'unknown_source'],
    [['test', '--json', '--config', CONFIG, '--source', 'github', '--body', '/nonexistent/body.json'], 2, 'unreadable_file'],
    [['dlq', 'show', '--json'], 2, 'usage'],
  ])('relay %j: {"error", "message"}, exit %i', async (argv, exit, error) => {
    const { code, stdout, stderr } = await relay(...argv);
    expect({ code, stderr }).toEqual({ code: exit, stderr: '' });
    expect(stdout.endsWith('\n') && stdout.trimEnd().split('\n').length === 1).toBe(true);
    expect(JSON.parse(stdout)).toEqual({ error, message: expect.any(String) });
  });

  it('a command error: the provider’s code, exit 1', async () => {
    const body = path.join(FIXTURES, 'jfrog-artifactory/docker.pushed.docs-data-only.json');
    const { code, stdout, stderr } = await relay('test', '--json', '--config', CONFIG, '--source', 'jfrog-artifactory', '--body', body);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ error: 'unknown_event', message: expect.stringContaining('refuses this delivery') });
  });

  it('an invalid config given to test: invalid_config, exit 1', async () => {
    const body = path.join(FIXTURES, 'github/push.tag.json');
    const { code, stdout } = await relay('test', '--json', '--config', brokenConfig(), '--source', 'github', '--body', body);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ error: 'invalid_config', message: expect.stringContaining('unknown key "branchs"') });
  });

  it('a queue command error: failed, exit 1', async () => {
    const { code, stdout } = await relay('dlq', 'list', '--json', '--state-dir', mkdtempSync(path.join(tmpdir(), 'relay-state-')));
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ error: 'failed', message: expect.any(String) });
  });
});

describe('relay test --header', () => {
  const body = path.join(FIXTURES, 'github/push.tag.json');
  const headers = path.join(FIXTURES, 'github/push.tag.headers.json');
  const run = (...more: string[]) => relay('test', '--json', '--config', CONFIG, '--source', 'github', '--body', body, ...more);
  const eventOf = (stdout: string) => (JSON.parse(stdout.trimEnd().split('\n')[0] ?? '') as { event: { event: string; deliveryId: string } }).event;

  it('gives the headers without a file, repeatable', async () => {
    const { code, stdout, stderr } = await run('--header', 'X-GitHub-Event: push', '--header', 'X-GitHub-Delivery: abc-123');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(eventOf(stdout)).toMatchObject({ event: 'push', deliveryId: 'abc-123' });
  });

  it('wins over --headers FILE for the same name, whatever its case', async () => {
    const fromFile = eventOf((await run('--headers', headers)).stdout);
    expect(fromFile.deliveryId).not.toBe('mine');
    expect(eventOf((await run('--headers', headers, '--header', 'x-github-delivery:mine')).stdout).deliveryId).toBe('mine');
  });

  it('refuses a flag that is no header', async () => {
    const { code, stdout } = await run('--header', 'X-GitHub-Event');
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({ error: 'usage', message: expect.stringContaining('is not a header') });
  });
});

describe('relay test --secrets', () => {
  const body = path.join(FIXTURES, 'github/push.tag.json');
  const headers = path.join(FIXTURES, 'github/push.tag.headers.json');
  const SECRETS = path.join(ROOT, 'relay.secrets.local.json');
  const secret = (JSON.parse(readFileSync(SECRETS, 'utf8')) as Record<string, string>)['webhooks/github'] ?? '';
  const run = (...more: string[]) => relay('test', '--config', CONFIG, '--source', 'github', ...more);
  /** Neither a secret nor a signature computed from one is ever printed. */
  const leaks = (output: string, ...values: string[]) => [secret, ...values].some((value) => value !== '' && output.includes(value));

  it('says which secret the signature is valid for', async () => {
    const { code, stdout, stderr } = await run('--body', body, '--headers', headers, '--secrets', SECRETS);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('authenticated as ingress would, with the secret webhooks/github');
    expect(leaks(stdout)).toBe(false);
  });

  it('names the missing header', async () => {
    const { code, stdout } = await run('--body', body, '--header', 'X-GitHub-Event: push', '--secrets', SECRETS, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ error: 'missing_signature', message: expect.stringMatching(/header missing: .*x-hub-signature/i) });
  });

  it('tells a signature of another algorithm', async () => {
    const { createHmac } = await import('node:crypto');
    const sha1 = createHmac('sha1', secret).update(readFileSync(body)).digest('hex');
    const { code, stdout, stderr } = await run('--body', body, '--header', 'X-GitHub-Event: push', '--header', `X-Hub-Signature-256: sha1=${sha1}`, '--secrets', SECRETS);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain('x-hub-signature-256 holds a valid sha1 HMAC of this body under webhooks/github');
    expect(leaks(stderr, sha1)).toBe(false);
  });

  it('a changed body or a wrong secret: matches no HMAC under the source’s secrets', async () => {
    const changed = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'body.json');
    writeFileSync(changed, `${readFileSync(body, 'utf8')} `);
    const wrong = path.join(path.dirname(changed), 'secrets.json');
    writeFileSync(wrong, JSON.stringify({ 'webhooks/github': 'not it', 'webhooks/github-previous': 'nor this' }));
    for (const [file, secrets] of [[changed, SECRETS], [body, wrong]] as const) {
      const { code, stderr } = await run('--body', file, '--headers', headers, '--secrets', secrets);
      expect(code).toBe(1);
      expect(stderr).toMatch(/x-hub-signature-256 matches no HMAC .* under webhooks\/github or webhooks\/github-previous: the body changed since it was signed, or it was signed with another secret/);
      expect(leaks(stderr, 'not it', 'nor this')).toBe(false);
    }
  });

  it('a secrets file without the source’s secret: exit 1 naming it', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'secrets.json');
    writeFileSync(file, '{}');
    const { code, stdout } = await run('--body', body, '--headers', headers, '--secrets', file, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ error: 'unreadable_file', message: expect.stringContaining('webhooks/github') });
  });
});
