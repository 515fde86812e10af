import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestCertificates } from '../../support/testCertificates';
import { until } from '../../support/until';

const root = path.join(__dirname, '../../..');
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
});

/** Runs `npm run simulator`'s command and waits for the line that names its URL. */
function startCli(args: string[]): Promise<{ url: string; output: () => string }> {
  const process_ = spawn(path.join(root, 'node_modules/.bin/tsx'), ['local/codestream-simulator/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, PORT: '' },
  });
  child = process_;
  let output = '';
  return new Promise((resolve, reject) => {
    process_.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (https?:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve({ url: match[1], output: () => output });
    });
    process_.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process_.once('exit', (code) => reject(new Error(`the simulator exited with ${code}: ${output}`)));
  });
}

it('starts on the given port with the example seed, logs each request, and stops on SIGTERM', async () => {
  const { url, output } = await startCli(['0']);
  const login = await fetch(`${url}/iaas/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refreshToken: 'local-refresh-token' }),
  });
  expect(login.status).toBe(200);
  expect(output()).toContain('pipeline demo/build  id 3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11');

  await until(() => /POST \/iaas\/api\/login → 200/.test(output()));

  const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
  child?.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output()).not.toContain('local-refresh-token');
}, 20_000);

it('serves HTTPS with --tls-cert and --tls-key, trusted by a client that has the CA', async () => {
  const certificates = createTestCertificates();
  try {
    const [cert, key] = [path.join(path.dirname(certificates.caFile), 'chain.pem'), path.join(path.dirname(certificates.caFile), 'chain.key')];
    writeFileSync(cert, certificates.server.cert);
    writeFileSync(key, certificates.server.key);
    const { url } = await startCli(['0', '--tls-cert', cert, '--tls-key', key]);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${url}/_simulator/requests`, { ca: certificates.caCertificate, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child?.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    certificates.remove();
  }
}, 20_000);

it('refuses a bad argument with the usage', async () => {
  await expect(startCli(['--execute-status', '201'])).rejects.toThrow(/exited with 2: --execute-status must be 200 or 202/);
}, 20_000);

it('refuses an invalid seed, naming the file and the entry', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'seed-')), 'seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      users: [{ name: 'relay', refreshToken: 'r' }],
      pipelines: [{ id: 'p1', project: 'demo', name: 'build' }],
      gitWebhooks: [{ id: 'g1', name: 'push', project: 'demo', pipeline: 'deploy' }],
    }),
  );
  await expect(startCli(['0', '--seed', file])).rejects.toThrow(
    `exited with 2: invalid simulator seed ${file}:\n  gitWebhooks[0].pipeline "deploy" is not a seeded pipeline of project "demo"`,
  );
}, 20_000);

it('lists the example seed webhooks without their secrets', async () => {
  const { output } = await startCli(['0']);
  await until(() => output().includes('registry webhook demo/harbor-library'));
  expect(output()).toContain('git webhook demo/hello-world-main → pipeline build');
  expect(output()).toContain('registry webhook demo/harbor-library → pipeline deploy-image  (disabled)');
  expect(output()).not.toMatch(/webhook-secret/);
  const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
  child?.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 20_000);
