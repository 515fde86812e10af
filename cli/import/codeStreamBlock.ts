import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Document, isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import type { CodeStreamTarget } from '../../lambda/config/RelayConfig';

/**
 * The config's `codestream` block for the imported config: as written in `configFile`, comments
 * and quoting kept (`apiVersion: "2019-10-17"` stays a string to every YAML reader), with CA
 * certificate paths, which are relative to the config file, made relative to `outFile` (else the
 * working directory, where the printed config is likely saved). `settings` (the block as loaded)
 * stands in where the file's own block cannot be read.
 */
export function codeStreamBlock(configFile: string, outFile: string | undefined, settings: CodeStreamTarget): Node {
  const written = parseDocument(readFileSync(configFile, 'utf8')).get('codestream', true);
  if (!isMap(written)) return new Document(settings).contents as Node;
  const block = written.clone() as typeof written;
  block.flow = false;
  const from = path.dirname(path.resolve(configFile));
  const to = outFile === undefined ? process.cwd() : path.dirname(path.resolve(outFile));
  const certificates = block.get('caCertificates', true);
  for (const entry of isSeq(certificates) ? certificates.items : [certificates]) {
    if (isScalar(entry) && typeof entry.value === 'string' && !entry.value.includes('-----BEGIN')) {
      entry.value = path.relative(to, path.resolve(from, entry.value)).split(path.sep).join('/');
    }
  }
  return block;
}
