import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CompiledRule, compileRule, firstFailure, requestOrError } from '../../lambda/rules/compileRule';
import type { Delivery } from '../../lambda/rules/Delivery';
import { loadConfig, parseConfig } from '../../lambda/config/loadConfig';
import type { Match } from '../../lambda/rules/RuleEngine';
import { generateRules } from './generateRules';
import { loadFixtures, sourceNames, subjectsOf } from './fixtures';
import { type Plan, median, medianNanoseconds } from './measure';

/**
 * `npm run bench:rules [-- --quick]`: for 10, 1,000 and 10,000 rules, the median time to match
 * each fixture delivery and build its requests, with the indexed RuleEngine and with a naive loop
 * over every rule, each beside the time to JSON.parse the same body in the same run. The aim is
 * that at 10,000 rules the indexed match costs no more than parsing the body once. Prints
 * Markdown, for docs/benchmarks.md. `--quick` takes few short samples: a smoke run, not figures.
 */

const ROOT = path.join(__dirname, '../..');
const SIZES = [10, 1_000, 10_000];
const PLANS: Record<'full' | 'quick', Plan> = {
  full: { samples: 21, minSampleMs: 2, warmupMs: 20 },
  quick: { samples: 3, minSampleMs: 0.2, warmupMs: 1 },
};


interface Row {
  rules: number;
  fixture: string;
  /** Median nanoseconds per call. */
  parse: number;
  indexed: number;
  naive: number;
  matches: number;
}

interface ColdStart {
  rules: number;
  /** parseConfig of the whole config text: YAML, schema, compiling and indexing the rules. */
  configMs: number;
  /** A fresh engine's first match of every delivery, which includes merging its index once per source and kind. */
  firstPassMs: number;
}

function main(): void {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const plan = values.quick ? PLANS.quick : PLANS.full;
  const { config } = loadConfig(path.join(ROOT, 'relay.config.yaml'));
  const fixtures = loadFixtures(config);
  const rows: Row[] = [];
  const coldStarts: ColdStart[] = [];
  for (const size of SIZES) {
    process.stderr.write(`${size} rules: ${fixtures.length} deliveries…\n`);
    const definitions = generateRules(size, config.rules, subjectsOf(fixtures), sourceNames(fixtures));
    const text = JSON.stringify({ ...config, rules: definitions });
    const configStart = process.hrtime.bigint();
    const { engine } = parseConfig(text, `generated-${size}.json`);
    const configMs = milliseconds(configStart);
    const firstStart = process.hrtime.bigint();
    for (const fixture of fixtures) engine.match(fixture.delivery);
    coldStarts.push({ rules: size, configMs, firstPassMs: milliseconds(firstStart) });
    const rules = definitions.map((definition, index) => {
      const { rule, issues } = compileRule(definition, index);
      if (!rule) throw new Error(`rule ${definition.name} does not compile: ${issues.map((issue) => issue.message).join('; ')}`);
      return rule;
    });
    for (const fixture of fixtures) {
      // Both must do the same work for the comparison to mean anything.
      const matches = engine.match(fixture.delivery);
      if (JSON.stringify(matches) !== JSON.stringify(naiveMatch(rules, fixture.delivery))) {
        throw new Error(`${fixture.name}: the indexed and the naive match differ at ${size} rules`);
      }
      const times = medianNanoseconds(
        {
          parse: () => JSON.parse(fixture.text),
          indexed: () => engine.match(fixture.delivery),
          naive: () => naiveMatch(rules, fixture.delivery),
        },
        plan,
      );
      rows.push({ rules: size, fixture: fixture.name, ...times, matches: matches.length });
    }
  }
  console.log(report(rows, coldStarts, plan, values.quick));
}

/** The baseline: every rule in turn, as `explain` checks them, keeping the matches as `match` returns them. */
function naiveMatch(rules: readonly CompiledRule[], delivery: Delivery): Match[] {
  const matches: Match[] = [];
  for (const rule of rules) {
    if (firstFailure(rule, delivery) === undefined) matches.push({ rule: rule.name, pipeline: rule.pipeline, ...requestOrError(rule, delivery) });
  }
  return matches;
}

function report(rows: readonly Row[], coldStarts: readonly ColdStart[], plan: Plan, quick: boolean): string {
  const cpus = os.cpus();
  const deliveries = rows.filter((row) => row.rules === SIZES[0]).length;
  const lines = [
    '## Rules',
    '',
    `- Command: \`npm run bench:rules${quick ? ' -- --quick' : ''}\``,
    `- Machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${os.platform()} ${os.arch()}, Node ${process.version}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Timing: per delivery, the median of ${plan.samples} interleaved samples of at least ${plan.minSampleMs} ms each, after ${plan.warmupMs} ms of warm-up.`,
    '',
    '### Summary (medians across the deliveries)',
    '',
    table(
      ['rules', 'indexed/parse', 'worst indexed/parse', 'naive/parse', 'naive/indexed', 'indexed ≤ parse'],
      SIZES.map((size) => {
        const sized = rows.filter((row) => row.rules === size);
        const worst = sized.reduce((a, b) => (b.indexed / b.parse > a.indexed / a.parse ? b : a));
        return [
          size.toLocaleString('en-US'),
          figure(median(sized.map((row) => row.indexed / row.parse))),
          `${figure(worst.indexed / worst.parse)} (${worst.fixture})`,
          figure(median(sized.map((row) => row.naive / row.parse))),
          figure(median(sized.map((row) => row.naive / row.indexed))),
          `${sized.filter((row) => row.indexed <= row.parse).length} of ${sized.length}`,
        ];
      }),
    ),
    '',
    '### Cold start',
    '',
    table(
      ['rules', 'parseConfig ms', `first match of all ${deliveries} deliveries ms`],
      coldStarts.map((cold) => [cold.rules.toLocaleString('en-US'), figure(cold.configMs), figure(cold.firstPassMs)]),
    ),
    '',
    '### Per delivery',
    '',
    table(
      ['rules', 'fixture', 'JSON.parse µs', 'indexed µs', 'naive µs', 'indexed/parse', 'naive/parse', 'matches'],
      rows.map((row) => [
        row.rules.toLocaleString('en-US'),
        row.fixture,
        figure(row.parse / 1e3),
        figure(row.indexed / 1e3),
        figure(row.naive / 1e3),
        figure(row.indexed / row.parse),
        figure(row.naive / row.parse),
        String(row.matches),
      ]),
    ),
  ];
  return lines.join('\n');
}

/** A Markdown table, the text column left-aligned and the figures right-aligned. */
function table(header: string[], body: string[][]): string {
  const align = header.map((_, column) => (body.every((cells) => /^[\d.,]+$/.test(cells[column] ?? '')) ? '--:' : ':--'));
  return [header, align, ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Two decimals below 10, one below 100, none above: enough to compare, without false precision. */
function figure(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 2);
}

function milliseconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

main();
