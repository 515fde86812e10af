import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfig } from '../../lambda/config/loadConfig';
import { readPlainYaml } from '../../lambda/config/readPlainYaml';
import { figure, machine, table } from '../ingress/markdown';
import { loadFixtures, sourceNames, subjectsOf } from '../rules/fixtures';
import { generateRules } from '../rules/generateRules';
import { median } from '../rules/measure';

/**
 * `npm run bench:config [-- --quick]`: the time to load a config of 1,000 and 10,000 rules as
 * `relay validate` and synth do (parseConfig: parsing, the JSON Schema, compiling and indexing
 * the rules), for the same config written as JSON and as YAML, beside two baselines in the same
 * run: JSON.parse of the JSON text, and `yaml`'s document of the YAML text turned into a value
 * (what parseConfig did with YAML before it had a fast path). Each figure is one call, in a fresh
 * Node process, as the CLI makes it. Prints Markdown, for docs/benchmarks.md. `--quick` takes one run
 * of 1,000 rules: a smoke run, not figures.
 */

const ROOT = path.join(__dirname, '../..');
const TIMER = path.join(__dirname, 'timeLoad.ts');
const PLANS = {
  full: { sizes: [1_000, 10_000], runs: 5 },
  quick: { sizes: [1_000], runs: 1 },
};

/** One config text and what is timed on it. */
interface Subject {
  size: number;
  label: string;
  operation: 'JSON.parse' | 'yaml' | 'parseConfig';
  file: string;
  ms: number[];
}

function main(): void {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const plan = values.quick ? PLANS.quick : PLANS.full;
  const { config } = loadConfig(path.join(ROOT, 'relay.config.yaml'));
  const fixtures = loadFixtures(config);
  const directory = mkdtempSync(path.join(tmpdir(), 'relay-config-'));
  try {
    const subjects: Subject[] = [];
    for (const size of plan.sizes) {
      const generated = { ...config, rules: generateRules(size, config.rules, subjectsOf(fixtures), sourceNames(fixtures)) };
      const write = (name: string, text: string) => {
        const file = path.join(directory, `generated-${size}.${name}`);
        writeFileSync(file, text);
        return file;
      };
      const json = write('json', JSON.stringify(generated));
      // Block style, one line per scalar, as a person or a generator writes a config: the subset readPlainYaml reads.
      const plainText = stringify(generated, { lineWidth: 0 });
      // `yaml`'s default folds strings longer than 80 characters over several lines, as in a few
      // of the example rules: readPlainYaml leaves those rules to `yaml`.
      const foldedText = stringify(generated);
      if (readPlainYaml(plainText) === undefined) throw new Error(`the ${size}-rule YAML is not in the plain subset`);
      const yaml = write('yaml', plainText);
      const folded = write('folded.yaml', foldedText);
      subjects.push(
        { size, label: 'baseline: JSON.parse, JSON', operation: 'JSON.parse', file: json, ms: [] },
        { size, label: 'baseline: yaml document to value, YAML', operation: 'yaml', file: yaml, ms: [] },
        { size, label: 'parseConfig, JSON', operation: 'parseConfig', file: json, ms: [] },
        { size, label: 'parseConfig, YAML', operation: 'parseConfig', file: yaml, ms: [] },
        { size, label: 'parseConfig, YAML with some rules folded over lines', operation: 'parseConfig', file: folded, ms: [] },
      );
    }
    // Interleaved, so that a slow spell of the machine falls on every operation alike.
    for (let run = 0; run < plan.runs; run += 1) {
      process.stderr.write(`config: run ${run + 1} of ${plan.runs}…\n`);
      for (const subject of subjects) subject.ms.push(timeOnce(subject));
    }
    console.log(report(subjects, plan.runs, values.quick));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function timeOnce({ operation, file }: Subject): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', TIMER, operation, file], { cwd: ROOT, encoding: 'utf8' });
  const ms = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(ms)) throw new Error(`timing ${operation} of ${file} failed (${child.status}): ${child.stderr}`);
  return ms;
}

function report(subjects: readonly Subject[], runs: number, quick: boolean): string {
  const medianOf = (size: number, label: string) => median(subjects.find((subject) => subject.size === size && subject.label === label)?.ms ?? []);
  return [
    '## Config',
    '',
    `- Command: \`npm run bench:config${quick ? ' -- --quick' : ''}\``,
    `- Machine: ${machine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Timing: per row, the median of ${runs} fresh Node processes (run through tsx, as the CLI is), each timing one call after loading its modules, interleaved.`,
    '',
    table(
      ['rules', 'what', 'ms', '÷ JSON.parse', '÷ yaml'],
      subjects.map((subject) => {
        const ms = median(subject.ms);
        return [
          subject.size.toLocaleString('en-US'),
          subject.label,
          figure(ms),
          figure(ms / medianOf(subject.size, 'baseline: JSON.parse, JSON')),
          figure(ms / medianOf(subject.size, 'baseline: yaml document to value, YAML')),
        ];
      }),
    ),
  ].join('\n');
}

main();
