import { statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** A Lambda bundle as built for deploy: its code file and its source map. */
export interface Bundle {
  /** index.js: what the runtime requires. */
  file: string;
  bytes: number;
  /** index.js.map: shipped in the same zip, read only when source maps are enabled. */
  mapBytes: number;
  /** Bytes of index.js by npm package (or by folder, for the relay's own code), largest first. */
  parts: { name: string; bytes: number }[];
}

/**
 * Builds `entry` as the CDK stack does (infra/WebhookRelay.ts: NodejsFunction with format cjs,
 * minify, sourceMap, target node24 and no external modules), with the options the CDK passes to
 * the esbuild command line (aws-lambda-nodejs' bundling: --bundle, --platform=node, --target,
 * --format, --minify, --sourcemap, --outfile=index.js), into `outDir`. The metafile only says
 * what went in; it changes nothing in the output.
 */
export async function buildBundle(root: string, entry: string, outDir: string): Promise<Bundle> {
  const file = path.join(outDir, 'index.js');
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: [path.resolve(root, entry)],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    outfile: file,
    metafile: true,
    logLevel: 'warning',
  });
  const output = Object.entries(metafile.outputs).find(([name]) => name.endsWith('index.js'))?.[1];
  if (!output) throw new Error(`esbuild wrote no index.js for ${entry}`);
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? path.dirname(input);
    parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
  }
  return {
    file,
    bytes: statSync(file).size,
    mapBytes: statSync(`${file}.map`).size,
    parts: [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}
