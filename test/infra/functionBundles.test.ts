import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.join(__dirname, '../..');

/** The npm packages and the relay's own folders in a function's bundle, built as the stack builds it. */
async function contents(entry: string): Promise<{ packages: Set<string>; folders: Set<string> }> {
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.keys(metafile.inputs);
  return {
    packages: new Set(inputs.flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? [])),
    folders: new Set(inputs.filter((input) => input.startsWith('lambda/')).map((input) => path.dirname(input))),
  };
}

it('ingress holds no rules engine, CEL, picomatch, YAML parser, Ajv or Code Stream client; DynamoDB only for the delivery log', async () => {
  const { packages, folders } = await contents('lambda/handlers/ingress.ts');
  expect(packages).toContain('@aws-sdk/lib-dynamodb');
  for (const name of ['@marcbachmann/cel-js', 'picomatch', 'yaml', 'ajv', 'ajv-formats', 'axios', 'https-proxy-agent']) {
    expect([name, packages.has(name)]).toEqual([name, false]);
  }
  expect([...folders].filter((folder) => /lambda\/(rules|relay|codestream)\b/.test(folder))).toEqual([]);
  expect(packages).toContain('@aws-sdk/client-sqs');
}, 60_000);

it('relay holds no YAML parser and no schema compiler', async () => {
  const { packages } = await contents('lambda/handlers/relay.ts');
  for (const name of ['yaml', 'ajv', 'ajv-formats']) expect([name, packages.has(name)]).toEqual([name, false]);
  expect(packages).toContain('@marcbachmann/cel-js');
}, 60_000);
