import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '../..');

// The short soak of npm test: 200 deliveries, 30% faults, the relay's process group killed twice
// (SIGKILL) and restarted, its queues coming back from their journal.
it('loses nothing and duplicates nothing through faults and a killed relay', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', 'bench/soak/main.ts', '--count', '200', '--kill', '2'], {
    cwd: ROOT,
    timeout: 240_000,
  });
  expect(stdout).toMatch(/^SOAK sent=200 expected=200 executed=120 duplicates=0 dead_lettered=80 lost=0 kills=2\n$/);
}, 250_000);
