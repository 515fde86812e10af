import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConsole } from '../../console/build';

const ROOT = path.join(__dirname, '../..');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const FIXTURES = path.join(ROOT, 'test/fixtures/webhooks/github');
// Building, packing, installing and bundling take tens of seconds, more on a loaded machine.
const SLOW_MS = 300_000;

let work: string;
let tarball: string;
let app: string;

/** Runs a command to its end; its output, for the assertion's message when it fails. */
function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' }, timeout: SLOW_MS });
}

function succeeded(result: SpawnSyncReturns<string>): string {
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * The package as `npm pack` makes it, from a copy of what `files` names, built here: the
 * repository's own lib/ and dist/ are left alone, so that two test runs at once do not share them.
 */
async function pack(): Promise<string> {
  const stage = path.join(work, 'stage');
  mkdirSync(stage);
  for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'relay.config.schema.json', 'bin']) {
    if (existsSync(path.join(ROOT, file))) cpSync(path.join(ROOT, file), path.join(stage, file), { recursive: true });
  }
  succeeded(run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(stage, 'lib')], ROOT));
  await buildConsole(path.join(stage, 'dist', 'console'));
  succeeded(run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], stage));
  return path.join(work, `${PACKAGE.name}-${PACKAGE.version}.tgz`);
}

/**
 * A CDK app of a user's own beside the tarball, with a lock file that pins every package as the
 * repository's lock does: `npm install --offline` then takes them all from the npm cache.
 */
function scratchApp(): string {
  const dir = path.join(work, 'app');
  mkdirSync(dir);
  const tgz = `file:../${path.basename(tarball)}`;
  const dependencies = { 'aws-cdk-lib': PACKAGE.devDependencies['aws-cdk-lib'], 'cdk-nag': PACKAGE.devDependencies['cdk-nag'], [PACKAGE.name]: tgz, constructs: PACKAGE.devDependencies.constructs };
  const devDependencies = { esbuild: PACKAGE.devDependencies.esbuild };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch-cdk-app', private: true, dependencies, devDependencies }, null, 2));
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const packages: Record<string, unknown> = { '': { name: 'scratch-cdk-app', dependencies, devDependencies } };
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === '') continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[where] = kept;
  }
  packages[`node_modules/${PACKAGE.name}`] = {
    version: PACKAGE.version,
    resolved: tgz,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
    license: PACKAGE.license,
    dependencies: PACKAGE.dependencies,
    peerDependencies: PACKAGE.peerDependencies,
    bin: PACKAGE.bin,
    engines: PACKAGE.engines,
  };
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'scratch-cdk-app', lockfileVersion: 3, requires: true, packages }, null, 2));
  succeeded(run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir));
  cpSync(path.join(ROOT, 'relay.config.yaml'), path.join(dir, 'relay.config.yaml'));
  writeFileSync(
    path.join(dir, 'app.js'),
    `const { App, Stack, Validations } = require('aws-cdk-lib');
const { AwsSolutionsChecks } = require('cdk-nag');
const { WebhookRelay, loadConfig } = require('${PACKAGE.name}');

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'PlatformStack');
new WebhookRelay(stack, 'Relay', { config: loadConfig('relay.config.yaml').config });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`,
  );
  return dir;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'relay-package-'));
  tarball = await pack();
  app = scratchApp();
}, SLOW_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the package, installed into a CDK app of its own', () => {
  it('ships the compiled code, its types, the console, the schema and the bin; no sources, tests, fixtures or benchmarks', () => {
    const files = succeeded(run('tar', ['tzf', tarball], work)).split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'bin/relay.cjs', 'relay.config.schema.json', 'lib/index.js', 'lib/index.d.ts', 'lib/infra/WebhookRelay.js', 'lib/lambda/handlers/ingress.js', 'lib/lambda/handlers/relay.js', 'lib/cli/main.js', 'dist/console/app.js', 'dist/console/index.html']));
    expect(files.filter((file) => /^(test|bench|docs|console|local\/codestream-simulator|cdk\.out)\//.test(file) || (/\.ts$/.test(file) && !file.endsWith('.d.ts')))).toEqual([]);
  });

  it('declares aws-cdk-lib and constructs as peers, not as dependencies', () => {
    const installed = JSON.parse(readFileSync(path.join(app, 'node_modules', PACKAGE.name, 'package.json'), 'utf8')) as typeof PACKAGE;
    expect(installed.peerDependencies).toEqual({ 'aws-cdk-lib': expect.any(String), constructs: expect.any(String) });
    expect(Object.keys(installed.dependencies)).not.toEqual(expect.arrayContaining(['aws-cdk-lib']));
    expect(installed.dependencies).not.toHaveProperty('constructs');
  });

  it('synthesizes a stack with WebhookRelay under cdk-nag, bundling the functions with the app’s esbuild', () => {
    succeeded(run(process.execPath, ['app.js'], app));
    const out = path.join(app, 'cdk.out');
    const template = JSON.parse(readFileSync(path.join(out, 'PlatformStack.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function').length).toBeGreaterThanOrEqual(2);
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.') && existsSync(path.join(out, name, 'relay.config.json')));
    expect(assets).toHaveLength(2);
    for (const asset of assets) expect(readFileSync(path.join(out, asset, 'index.js'), 'utf8').length).toBeGreaterThan(100_000);
    const report = JSON.parse(readFileSync(path.join(out, 'validation-report.json'), 'utf8')) as { pluginReports: { conclusion: string }[] };
    expect(report.pluginReports.map((plugin) => plugin.conclusion)).toEqual(['success']);
  }, SLOW_MS);

  it('runs relay validate and relay test from the installed package', () => {
    const relay = path.join(app, 'node_modules', '.bin', 'relay');
    expect(succeeded(run(relay, ['--version'], app)).trim()).toBe(PACKAGE.version);
    expect(succeeded(run(relay, ['validate', '--config', 'relay.config.yaml'], app))).toMatch(/relay\.config\.yaml: valid: \d+ sources, \d+ rules/);
    const tested = succeeded(run(relay, ['test', '--config', 'relay.config.yaml', '--source', 'github', '--body', path.join(FIXTURES, 'push.branch-created.json'), '--headers', path.join(FIXTURES, 'push.branch-created.headers.json')], app));
    expect(tested).toContain('✓ build-main-lines');
    // The package runs compiled: no TypeScript loader is installed with it.
    expect(existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
  }, SLOW_MS);
});
