import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CommandError } from '../errors';
import { packageRoot } from '../packageRoot';

/** Where `npm run build:console` writes the page: dist/console under the repository's root. */
export const DEFAULT_ASSETS_DIR = path.join(packageRoot(), 'dist', 'console');

/** The page's files, by the path the console serves each at. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Whether the path is one of the page's files. */
export function isAsset(pathname: string): boolean {
  return Object.hasOwn(ASSETS, pathname);
}

/** The file served at the path, and its Content-Type; read at each request, so that a rebuild shows at the next reload. */
export async function readAsset(assetsDir: string, pathname: string): Promise<{ body: Buffer; type: string }> {
  const asset = ASSETS[pathname];
  if (asset === undefined) throw new Error(`${pathname} is not one of the console's files`);
  return { body: await readFile(path.join(assetsDir, asset.file)), type: asset.type };
}

/**
 * @throws CommandError saying how to build the page when a file of it is missing: the console
 *   builds nothing when it starts.
 */
export function checkAssets(assetsDir: string): void {
  const missing = Object.values(ASSETS).filter(({ file }) => !existsSync(path.join(assetsDir, file)));
  if (missing.length > 0) {
    throw new CommandError(`the console's page is not built (${missing.map(({ file }) => path.join(assetsDir, file)).join(', ')} missing): run npm run build:console`);
  }
}
