import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { parseConfig } from '../../lambda/config/loadConfig';

/**
 * One timed operation on one config file, in a process of its own, as `relay validate` and synth
 * load a config once per process: `node --import tsx bench/config/timeLoad.ts OPERATION FILE`.
 * Prints the milliseconds of the operation alone; the modules are loaded and the file read first.
 */

const OPERATIONS: Record<string, (text: string, file: string) => unknown> = {
  'JSON.parse': (text) => JSON.parse(text),
  // What parseConfig did with YAML before it had a fast path, up to the value: the document, with positions.
  yaml: (text) => parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, prettyErrors: true }).toJS(),
  parseConfig: (text, file) => parseConfig(text, file),
};

const [operation = '', file = ''] = process.argv.slice(2);
const run = OPERATIONS[operation];
if (!run) throw new Error(`unknown operation "${operation}"; the operations are ${Object.keys(OPERATIONS).join(', ')}`);
const text = readFileSync(file, 'utf8');
const start = process.hrtime.bigint();
run(text, file);
process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));
