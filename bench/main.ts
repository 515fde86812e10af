import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run bench [-- --quick]`: every benchmark in turn, each printing its Markdown section for
 * docs/benchmarks.md. Each runs in a process of its own, so that none inherits another's compiled code,
 * heap or garbage: a benchmark's figures are the same whether it runs alone or here. `--quick` is
 * passed through, for smoke runs.
 */

// Local end-to-end throughput (bench/e2e, `npm run bench:e2e`) is another part's; it goes here, last.
const BENCHMARKS = ['rules', 'config', 'ingress', 'relay', 'bundles'];

function main(): void {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  for (const name of BENCHMARKS) {
    const file = path.join(__dirname, name, 'main.ts');
    // `--import tsx` (resolved from the project's root) is how tsx runs a file; stdout stays the Markdown, stderr the progress.
    const child = spawnSync(process.execPath, ['--import', 'tsx', file, ...(values.quick ? ['--quick'] : [])], {
      cwd: path.join(__dirname, '..'),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`bench/${name} failed (exit ${child.status ?? child.signal})`);
    console.log('');
  }
}

main();
