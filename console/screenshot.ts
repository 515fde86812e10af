import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser } from '../test/support/browser';
import { startSampleConsole } from '../test/support/sampleConsole';
import { buildConsole } from './build';

/**
 * `npm run screenshot:console`: docs/console.png, the deliveries list at 1280×800 over realistic
 * sample data (test/support/consoleSamples.ts), in Debian's headless Chromium.
 */
async function screenshot(): Promise<string> {
  const assets = mkdtempSync(path.join(tmpdir(), 'relay-console-page-'));
  const output = path.join(__dirname, '..', 'docs', 'console.png');
  await buildConsole(assets);
  const running = await startSampleConsole(assets);
  const browser = await launchBrowser({ width: 1280, height: 800 });
  try {
    const page = await browser.context.newPage();
    await page.goto(running.url);
    await page.locator('a[data-row]').nth(running.samples.deliveries.length - 1).waitFor();
    // The focus ring on the second row shows how j and k move through the list.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.screenshot({ path: output });
    return output;
  } finally {
    await browser.close();
    await running.stop();
    rmSync(assets, { recursive: true, force: true });
  }
}

screenshot().then(
  (output) => console.log(`wrote ${path.relative(process.cwd(), output)}`),
  (error: Error) => {
    console.error(`no screenshot: ${error.message}`);
    process.exit(1);
  },
);
