import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { consoleCommand } from '../../../../cli/commands/console';
import { main } from '../../../../cli/main';
import { writeLocalState } from '../../../../local/LocalState';
import { consoleRequest } from '../../../support/consoleRequest';
import { InMemoryDeliveryHistory } from '../../../support/InMemoryDeliveryHistory';
import { until } from '../../../support/until';

const ROOT = path.join(__dirname, '../../../..');
const BUILT = existsSync(path.join(ROOT, 'dist/console/app.js'));

/** A local.json as a running local mode writes it; the queues are never reached by these tests. */
function localState(): string {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'relay-state-'));
  writeLocalState(stateDir, {
    sqsEndpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    queueUrl: 'http://127.0.0.1:9/000000000000/relay',
    deadLetterQueueUrl: 'http://127.0.0.1:9/000000000000/relay-dlq',
    configFile: path.join(ROOT, 'relay.config.yaml'),
    codestreamUrl: 'http://127.0.0.1:9',
    pid: process.pid,
  });
  return stateDir;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['console', ...args], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

describe('relay console', () => {
  (BUILT ? it : it.skip)('serves local mode’s log until it is stopped, then closes the log', async () => {
    const history = new InMemoryDeliveryHistory([]);
    let stop = () => {};
    let stdout = '';
    const done = consoleCommand(['--port', '0', '--state-dir', localState()], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } }, {
      open: () => history,
      stopped: new Promise<void>((resolve) => (stop = resolve)),
    });
    await until(() => stdout.includes('relay console at '));
    const url = /relay console at (\S+)/.exec(stdout)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(stdout).toContain(`rules   ${path.join(ROOT, 'relay.config.yaml')}`);
    expect(await consoleRequest(url, 'GET', '/api/deliveries')).toMatchObject({ status: 200, json: { items: [] } });
    expect((await consoleRequest(url, 'GET', '/')).status).toBe(200);
    stop();
    expect(await done).toBe(0);
    expect(history.closed).toBe(true);
  });

  it.each([
    [['--port', 'http'], '--port must be a port number'],
    [['--port', '70000'], '--port must be a port number'],
    [['--deliveries-table', 'relay-deliveries'], '--deliveries-table names the delivery log in AWS'],
    [['--table', 'relay-idempotency'], '--table names the idempotency table in AWS'],
    [['--queue', 'relay', '--dlq', 'relay-dlq'], 'name the delivery log\'s table too'],
    [['--bogus'], 'Unknown option'],
  ])('relay console %j is a usage error, exit 2', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: relay console');
  });

  it('without a running local mode: exit 1, saying how to start it', async () => {
    const { code, stdout, stderr } = await run(['--state-dir', mkdtempSync(path.join(tmpdir(), 'relay-state-'))]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain('no running local relay found');
    expect(stderr).toContain('npm start');
  });

  it('--help prints its usage, and the top-level usage lists it', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: relay console \[--port N\]/) });
    let stdout = '';
    await main(['--help'], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } });
    expect(stdout).toContain('\n  console [--port N]');
  });
});
