import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium: the browser tests drive it; nothing is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a closed network: no GPU, no QUIC, and none of the background requests (updates,
 * sync, safe browsing lists) a first run would make.
 */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Whether the browser tests can run. Without Chromium they are skipped, loudly, unless
 * RELAY_BROWSER_REQUIRED=1, where a missing browser fails them.
 */
export function browserAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `${suite}: ${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.RELAY_BROWSER_REQUIRED === '1') throw new Error(`${message}, and RELAY_BROWSER_REQUIRED=1`);
  console.warn(`\n!!! SKIPPED: ${message}. Set RELAY_BROWSER_REQUIRED=1 to make this a failure. !!!\n`);
  return false;
}

/** A headless Chromium with a fresh profile in a temp directory, removed on close. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'relay-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport, timeout: 60_000 });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
