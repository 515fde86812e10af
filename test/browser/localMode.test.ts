import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildConsole } from '../../console/build';
import type { CodeStreamSimulator } from '../../local/codestream-simulator/CodeStreamSimulator';
import type { LocalRelay } from '../../local/LocalRelay';
import { browserAvailable, launchBrowser } from '../support/browser';
import { inProcessRelay, pushTo } from '../support/inProcessRelay';
import { PIPELINES, startSimulator } from '../support/simulatorFixture';
import { until } from '../support/until';

const WEBHOOK_SECRET = 'console-local-mode-secret';
const SLOW_MS = 120_000;
const describeIfBrowser = browserAvailable('test/browser/localMode.test.ts') ? describe : describe.skip;

/**
 * The console that `npm start` serves, over local mode's real log and queues, against the
 * simulator: Code Stream refuses the first call (403), so the delivery is dead-lettered; the
 * operator finds it, redrives it from the console, and sees its execution appear.
 */
describeIfBrowser('local mode’s console in Chromium', () => {
  let simulator: CodeStreamSimulator;
  let relay: LocalRelay;
  let dir: string;
  let consoleUrl: string;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const printed: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'relay-console-local-'));
    await buildConsole(path.join(dir, 'page'));
    simulator = await startSimulator({ faults: { script: [{ kind: 'status', status: 403 }] } });
    relay = inProcessRelay({
      dir,
      codestreamUrl: simulator.url,
      webhookSecret: WEBHOOK_SECRET,
      rules: `  - { name: build, when: { events: [push] }, pipeline: { id: ${PIPELINES.build.id} } }`,
      consolePort: 0,
      consoleAssetsDir: path.join(dir, 'page'),
      print: (line) => printed.push(line),
    });
    const started = await relay.start();
    if (started.consoleUrl === undefined) throw new Error(`no console: ${started.consoleProblem}`);
    consoleUrl = started.consoleUrl;
    expect(await pushTo(started.url, { deliveryId: 'console-redrive-1', secret: WEBHOOK_SECRET })).toBe(202);
    browser = await launchBrowser();
  }, SLOW_MS);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await relay?.stop();
    await simulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, SLOW_MS);

  it('lists, filters and opens the dead-lettered delivery, redrives it, and shows its execution', async () => {
    page = await browser.context.newPage();
    await page.goto(consoleUrl);
    const row = page.locator('a[data-row]', { hasText: 'push to' });
    // Live updates: the delivery appears, then its outcome, without a reload.
    await page.locator('tbody tr', { has: page.locator('.badge.outcome-dead_lettered') }).waitFor({ timeout: 30_000 });
    await page.selectOption('#filter-outcome', 'dead_lettered');
    await page.keyboard.press('Enter');
    await until(async () => (await page.locator('a[data-row]').count()) === 1, 20_000, () => printed.join('\n'));
    await row.click();
    const decision = page.locator('tr.decision', { hasText: 'build' });
    await decision.waitFor();
    expect(await decision.locator('.badge').textContent()).toBe('dead lettered');
    expect(await decision.textContent()).toContain('403');

    await page.goto(`${consoleUrl}#/dlq`);
    await page.locator('a[data-row]').first().click();
    await page.getByRole('button', { name: 'Redrive' }).click();
    await page.locator('.done', { hasText: 'Redriven' }).waitFor();

    await until(() => simulator.executions.some((execution) => execution.tags.includes('delivery:console-redrive-1')), 30_000, () => printed.join('\n'));
    const [execution] = simulator.executions.filter((candidate) => candidate.tags.includes('delivery:console-redrive-1'));
    await page.goto(`${consoleUrl}#/deliveries/${encodeURIComponent('github/console-redrive-1')}`);
    await until(
      async () => {
        await page.reload();
        await decision.waitFor();
        return (await decision.locator('.badge').textContent()) === 'created';
      },
      30_000,
      () => printed.join('\n'),
    );
    expect(await decision.locator('a[target="_blank"]').getAttribute('href')).toBe(`${simulator.url}/codestream/api/executions/${execution?.id}`);
    expect(await page.locator('body').textContent()).toMatch(/redrives\s*1/i);
  }, SLOW_MS);
});
