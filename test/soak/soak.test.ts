import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '../..');

const soak = (...args: string[]) => promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', 'bench/soak/main.ts', ...args], { cwd: ROOT, timeout: 240_000 });

// The short soak of npm test: 200 deliveries, 30% faults, the relay's process group killed twice
// (SIGKILL) and restarted, its queues coming back from their journal.
it('loses nothing and duplicates nothing through faults and a killed relay', async () => {
  const { stdout } = await soak('--count', '200', '--kill', '2');
  expect(stdout).toMatch(/^SOAK sent=200 expected=200 executed=120 duplicates=0 dead_lettered=80 lost=0 kills=2\n$/);
}, 250_000);

// Coalescing: 4 rounds of 5 pushes to each of 5 branches, a 2 s quiet period, the same faults and a
// kill. Each window runs one push, its newest; a kill may delay a push past its window, which then
// runs in one of its own: there are at least 20 windows, and exactly as many executions.
it('runs each quiet window once, its newest push, through faults and a killed relay', async () => {
  const { stdout } = await soak('--coalesce', '--count', '100', '--keys', '5', '--burst', '5', '--kill', '1');
  const line = /^SOAK mode=coalesce sent=100 keys=5 rounds=4 windows=(\d+) executed=(\d+) superseded=(\d+) dead_lettered=0 duplicates=0 lost=0 kills=1\n$/.exec(stdout);
  expect(line).not.toBeNull();
  const [windows, executed, superseded] = (line ?? []).slice(1).map(Number);
  expect(executed).toBe(windows);
  expect(windows).toBeGreaterThanOrEqual(20);
  expect((executed ?? 0) + (superseded ?? 0)).toBe(100);
}, 250_000);
