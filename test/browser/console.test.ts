import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildConsole } from '../../console/build';
import { browserAvailable, launchBrowser } from '../support/browser';
import { HOSTILE } from '../support/consoleSamples';
import { type SampleConsole, startSampleConsole } from '../support/sampleConsole';
import { until } from '../support/until';

// Building the page and starting Chromium take seconds, more on a loaded machine.
const SLOW_MS = 120_000;
const describeIfBrowser = browserAvailable('test/browser/console.test.ts') ? describe : describe.skip;

describeIfBrowser('the console in Chromium', () => {
  let running: SampleConsole;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  /** What the page reported: errors, CSP violations. */
  let reported: string[];

  beforeAll(async () => {
    const assets = mkdtempSync(path.join(tmpdir(), 'relay-console-page-'));
    await buildConsole(assets);
    running = await startSampleConsole(assets);
    browser = await launchBrowser();
  }, SLOW_MS);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  }, SLOW_MS);

  beforeEach(async () => {
    reported = [];
    page = await browser.context.newPage();
    page.on('pageerror', (error) => reported.push(`page error: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && reported.push(`console: ${message.text()}`));
    await page.goto(running.url);
  });

  afterEach(async () => {
    await page.close();
  });

  const rows = () => page.locator('a[data-row]');

  it('lists the deliveries newest first, with status and outcome badges', async () => {
    await until(async () => (await rows().count()) === 4, 20_000, () => 'four rows');
    expect(await rows().first().textContent()).toContain('Codertocat/Hello-World: push to main');
    expect(await page.locator('.badge.status-refused').first().textContent()).toBe('401');
    expect(await page.locator('.badge.outcome-dead_lettered').count()).toBe(1);
    expect(reported).toEqual([]);
  }, SLOW_MS);

  it('filters by source', async () => {
    await until(async () => (await rows().count()) === 4);
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement?.id')).toBe('filter-source');
    await page.keyboard.type('gitlab');
    await page.keyboard.press('Enter');
    await until(async () => (await rows().count()) === 1, 20_000, () => 'one gitlab row');
    expect(new URL(page.url()).hash).toBe('#/?source=gitlab');
    expect(await page.locator('tbody td:nth-child(3)').allTextContents()).toEqual(['gitlab']);
  }, SLOW_MS);

  it('opens a delivery: its decisions, and the execution link opened with noopener', async () => {
    await page.goto(`${running.url}#/deliveries/${encodeURIComponent(running.samples.ids.pushToMain)}`);
    const row = page.locator('tr.decision', { hasText: 'build-main-lines' });
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('created');
    const link = row.locator('a[target="_blank"]');
    expect(await link.getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:3001\/codestream\/api\/executions\//);
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await page.locator('tr.decision', { hasText: 'release-tags' }).locator('.badge').textContent()).toBe('no match');
    const events = page.locator('section', { has: page.locator('h2', { hasText: 'Events' }) });
    expect(await events.locator('pre.code').first().textContent()).toContain('"kind": "push"');
  }, SLOW_MS);

  it('shows a sender’s HTML as text: nothing injected, nothing run', async () => {
    await page.goto(`${running.url}#/deliveries/${encodeURIComponent(running.samples.ids.hostile)}`);
    await page.locator('h1', { hasText: HOSTILE.branch }).waitFor();
    expect(await page.locator('body').textContent()).toContain(HOSTILE.commitMessage);
    await page.goto(`${running.url}#/`);
    await page.locator('a[data-row]', { hasText: HOSTILE.branch }).waitFor();
    // The page's own globals, as strings: this file is type-checked without the DOM's types.
    const injected = await page.evaluate(`({
      flag: window.__xss,
      images: document.querySelectorAll('img').length,
      scripts: [...document.querySelectorAll('script')].map((script) => script.getAttribute('src')),
      bold: document.querySelectorAll('main b').length,
    })`);
    expect(injected).toEqual({ flag: undefined, images: 0, scripts: ['/app.js'], bold: 0 });
    expect(reported).toEqual([]);
  }, SLOW_MS);

  it('moves with j and k, opens with Enter, goes back with Escape', async () => {
    await until(async () => (await rows().count()) === 4);
    const focused = () => page.evaluate("document.activeElement?.getAttribute('href')");
    const hrefs = await rows().evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    await page.keyboard.press('j');
    expect(await focused()).toBe(hrefs[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await focused()).toBe(hrefs[1]);
    const visible = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(visible).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.locator('table.decisions').waitFor();
    expect(new URL(page.url()).hash).toBe(hrefs[1]);
    await page.keyboard.press('Escape');
    await until(async () => new URL(page.url()).hash === '#/' || new URL(page.url()).hash === '', 20_000, () => page.url());
    await until(async () => (await rows().count()) === 4);
  }, SLOW_MS);

  it('replays a dead letter beside its recorded decisions, then redrives it through the queue', async () => {
    await page.goto(`${running.url}#/dlq`);
    await rows().first().click();
    await page.getByRole('button', { name: 'Replay (dry run)' }).click();
    const differing = page.locator('table.compare tr.differs');
    await differing.first().waitFor();
    expect(await differing.allTextContents()).toEqual([expect.stringMatching(/^build-code-changes.*runs id:3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11 now, id:3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a10 then/)]);
    expect(running.queues.redriven).toEqual([]);
    await page.getByRole('button', { name: 'Redrive' }).click();
    await page.locator('.done', { hasText: 'Redriven' }).waitFor();
    expect(running.queues.redriven.map((record) => record.messageId)).toEqual([running.samples.deadLetters[0]?.messageId]);
    expect((await running.history.get(running.samples.ids.hostile))?.redrives).toBe(1);
    expect(reported).toEqual([]);
  }, SLOW_MS);
});
