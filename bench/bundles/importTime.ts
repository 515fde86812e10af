import { spawnSync } from 'node:child_process';

/**
 * The time to `require()` a bundle in a fresh Node process, in milliseconds: the module init a
 * cold start pays before the first event (reading, compiling and running the file's top level).
 * The clock starts inside the process, so Node's own start is not counted. The environment is the
 * functions' own variables and PATH only: no tsx loader or NODE_OPTIONS of this run leaks in.
 */
export function importMilliseconds(file: string, environment: Record<string, string>): number {
  const script = [
    'const start = process.hrtime.bigint();',
    `require(${JSON.stringify(file)});`,
    'process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));',
  ].join(' ');
  const child = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...environment }, encoding: 'utf8' });
  const milliseconds = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(milliseconds)) throw new Error(`requiring ${file} failed (${child.status}): ${child.stderr}`);
  return milliseconds;
}
