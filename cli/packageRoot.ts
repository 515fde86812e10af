import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder of this package's package.json: the repository's root when the CLI runs from its
 * TypeScript sources, the installed package's when it runs compiled, from `lib/`.
 */
export function packageRoot(from: string = __dirname): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return folder;
    if (path.dirname(folder) === folder) throw new Error(`no package.json above ${from}`);
  }
}
