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
 * it in a fresh Node process, beside the same in the same run for an empty handler and for each
 * function's floor (the AWS SDK clients and HTTP client it cannot do without), bundled the same
 * way. Prints Markdown, for docs/benchmarks.md. `--quick` takes few runs: a smoke run, not figures.
 */

const ROOT = path.join(__dirname, '../..');
const RUNS = { full: 11, quick: 3 };
const PARTS_SHOWN = 12;
const BASELINE = { name: 'baseline: empty handler', entry: 'bench/bundles/emptyHandler.ts' };
const FLOORS = [
  { name: 'floor: ingress clients', entry: 'bench/bundles/ingressFloor.ts' },
  { name: 'floor: relay clients', entry: 'bench/bundles/relayFloor.ts' },
];
// The stack's two functions and their entries (infra/WebhookRelay.ts, LAMBDA_DIR), each with its floor.
const FUNCTIONS = [
  { name: 'ingress', entry: 'lambda/handlers/ingress.ts', floor: 'floor: ingress clients' },
  { name: 'relay', entry: 'lambda/handlers/relay.ts', floor: 'floor: relay clients' },
];
// What the stack sets for both functions that their top level reads (the Powertools logger and metrics).
const ENVIRONMENT = { POWERTOOLS_SERVICE_NAME: 'codestream-relay', POWERTOOLS_METRICS_NAMESPACE: 'CodeStreamRelay' };

interface Measured {
  name: string;
  /** For a function, the name of its floor. */
  floor?: string;
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
    for (const { name, entry, floor } of [BASELINE, ...FLOORS, ...FUNCTIONS] as { name: string; entry: string; floor?: string }[]) {
      process.stderr.write(`bundles: building ${name}…\n`);
      const bundle = await buildBundle(ROOT, entry, path.join(outDir, name.replace(/\W+/g, '-')));
      // Untimed, so that every timed run reads the file from the page cache.
      importMilliseconds(bundle.file, ENVIRONMENT);
      measured.push({ name, floor, bundle, gzipBytes: gzipSync(readFileSync(bundle.file)).length, importMs: [] });
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
  const floorOf = (entry: Measured) => measured.find((other) => other.name === entry.floor);
  const functions = measured.filter((entry) => entry.floor !== undefined);
  return [
    '## Bundles',
    '',
    `- Command: \`npm run bench:bundles${quick ? ' -- --quick' : ''}\``,
    `- Machine: ${machine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Timing: per bundle, the median of ${runs} fresh Node processes each timing one require(), interleaved, after one untimed require.`,
    '- ÷ floor: the function\'s import time over its floor\'s; (− baseline) ÷ (floor − baseline): the same without what any bundle pays.',
    '',
    table(
      ['function', 'bundle KiB', 'gzip KiB', 'import ms', 'import − baseline ms', '÷ floor', '(− baseline) ÷ (floor − baseline)'],
      measured.map((entry, index) => {
        const floor = floorOf(entry);
        const importMs = median(entry.importMs);
        const floorMs = floor ? median(floor.importMs) : NaN;
        return [
          entry.name,
          kib(entry.bundle.bytes),
          kib(entry.gzipBytes),
          figure(importMs),
          index === 0 ? '—' : figure(importMs - baseline),
          floor ? figure(importMs / floorMs) : '—',
          floor ? figure((importMs - baseline) / (floorMs - baseline)) : '—',
        ];
      }),
    ),
    '',
    `Source maps, in the same zips: ${measured.map((entry) => `${entry.name} ${kib(entry.bundle.mapBytes)} KiB`).join(', ')}.`,
    '',
    `Largest parts of index.js, KiB (npm package, or folder of the relay's own code):`,
    '',
    ...functions.map((entry) => `- ${entry.name}: ${entry.bundle.parts.slice(0, PARTS_SHOWN).map((part) => `${part.name} ${kib(part.bytes)}`).join(', ')}`),
    '',
    'What each function bundles beyond its floor, KiB (parts that grew by more than 1 KiB):',
    '',
    ...functions.map((entry) => `- ${entry.name}: ${beyondFloor(entry, floorOf(entry)).map((part) => `${part.name} ${kib(part.bytes)}`).join(', ')}`),
  ].join('\n');
}

/** The parts of a function's bundle that its floor lacks or has less of, largest first. */
function beyondFloor(entry: Measured, floor: Measured | undefined): { name: string; bytes: number }[] {
  const floorBytes = new Map(floor?.bundle.parts.map((part) => [part.name, part.bytes]));
  return entry.bundle.parts
    .map((part) => ({ name: part.name, bytes: part.bytes - (floorBytes.get(part.name) ?? 0) }))
    .filter((part) => part.bytes > 1024)
    .sort((a, b) => b.bytes - a.bytes);
}

void main();
