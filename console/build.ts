import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const APP = path.join(__dirname, 'app');

/**
 * Builds the console's page into `outDir`: app.js (console/app/main.ts and its modules, bundled
 * by esbuild into one script), index.html and app.css. The page loads nothing else: the console's
 * Content-Security-Policy allows its own files only.
 */
export async function buildConsole(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(APP, 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await Promise.all(['index.html', 'app.css'].map((file) => copyFile(path.join(APP, file), path.join(outDir, file))));
}

// `npm run build:console` (also run by npm install, as `prepare`): the page relay console serves.
if (require.main === module) {
  const outDir = path.join(__dirname, '..', 'dist', 'console');
  buildConsole(outDir).then(
    () => console.log(`built the console into ${path.relative(process.cwd(), outDir) || '.'}`),
    (error: Error) => {
      console.error(`the console could not be built: ${error.message}`);
      process.exit(1);
    },
  );
}
