import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { figure, machine, table } from '../ingress/markdown';
import { median } from '../rules/measure';
import { type Bundle, buildBundle } from './buildBundle';
import { importMilliseconds } from './importTime';

/**
 * `npm run bench:bundles [-- --quick]`: each Lambda function's bundle as the CDK stack builds it
 * for deploy, its size (and gzip size: Lambda's zip is compressed), and the median time to require
 * it in a fresh Node process, beside the same for an empty handler bundled the same way in the
 * same run. Prints Markdown, for BENCHMARKS.md. `--quick` takes few runs: a smoke run, not figures.
 */

const ROOT = path.join(__dirname, '../..');
const RUNS = { full: 11, quick: 3 };
const PARTS_SHOWN = 12;
const BASELINE = { name: 'baseline: empty handler', entry: 'bench/bundles/emptyHandler.ts' };
// The stack's two functions and their entries (infra/WebhookRelay.ts, LAMBDA_DIR).
const FUNCTIONS = [
  { name: 'ingress', entry: 'lambda/handlers/ingress.ts' },
  { name: 'relay', entry: 'lambda/handlers/relay.ts' },
];
// What the stack sets for both functions that their top level reads (the Powertools logger and metrics).
const ENVIRONMENT = { POWERTOOLS_SERVICE_NAME: 'codestream-relay', POWERTOOLS_METRICS_NAMESPACE: 'CodeStreamRelay' };

interface Measured {
  name: string;
  bundle: Bundle;
  /** index.js gzipped at zlib's default level, as the CDK CLI deflates each file of an asset's zip. */
  gzipBytes: number;
  importMs: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const runs = values.quick ? RUNS.quick : RUNS.full;
  const outDir = mkdtempSync(path.join(tmpdir(), 'relay-bundles-'));
  try {
    const measured: Measured[] = [];
    for (const { name, entry } of [BASELINE, ...FUNCTIONS]) {
      process.stderr.write(`bundles: building ${name}…\n`);
      const bundle = await buildBundle(ROOT, entry, path.join(outDir, name.replace(/\W+/g, '-')));
      // Untimed, so that every timed run reads the file from the page cache.
      importMilliseconds(bundle.file, ENVIRONMENT);
      measured.push({ name, bundle, gzipBytes: gzipSync(readFileSync(bundle.file)).length, importMs: [] });
    }
    // Interleaved, so that a slow spell of the machine falls on every bundle alike.
    for (let run = 0; run < runs; run += 1) {
      for (const entry of measured) entry.importMs.push(importMilliseconds(entry.bundle.file, ENVIRONMENT));
    }
    console.log(report(measured, runs, values.quick));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function report(measured: readonly Measured[], runs: number, quick: boolean): string {
  const baseline = median(measured[0]?.importMs ?? []);
  const kib = (bytes: number) => figure(bytes / 1024);
  return [
    '## Bundles',
    '',
    `- Command: \`npm run bench:bundles${quick ? ' -- --quick' : ''}\``,
    `- Machine: ${machine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Timing: per bundle, the median of ${runs} fresh Node processes each timing one require(), interleaved, after one untimed require.`,
    '',
    table(
      ['function', 'bundle KiB', 'gzip KiB', 'import ms', 'import − baseline ms'],
      measured.map((entry, index) => [
        entry.name,
        kib(entry.bundle.bytes),
        kib(entry.gzipBytes),
        figure(median(entry.importMs)),
        index === 0 ? '—' : figure(median(entry.importMs) - baseline),
      ]),
    ),
    '',
    `Source maps, in the same zips: ${measured.map((entry) => `${entry.name} ${kib(entry.bundle.mapBytes)} KiB`).join(', ')}.`,
    '',
    `Largest parts of index.js, KiB (npm package, or folder of the relay's own code):`,
    '',
    ...measured.slice(1).map((entry) => `- ${entry.name}: ${entry.bundle.parts.slice(0, PARTS_SHOWN).map((part) => `${part.name} ${kib(part.bytes)}`).join(', ')}`),
  ].join('\n');
}

void main();
