import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { resolveCaCertificates } from './caCertificates';
import { REPORTING_PROVIDERS } from '../status/CommitStatus';
import { compileRule, type CompiledRule } from '../rules/compileRule';
import { adapterFor } from '../providers/registry';
import { CONFIG_SCHEMA } from './configSchema';
import { ConfigError, type ConfigProblem } from './ConfigError';
import type { RelayConfig, SourceDefinition } from './RelayConfig';
import { RuleEngine } from '../rules/RuleEngine';
import { readPlainYaml } from './readPlainYaml';
import type { RuleDefinition } from '../rules/RuleDefinition';
import { SchemaRefusals, pointerStep } from './schemaRefusals';
import { ConfigSource, type Locate, type Path, locator } from './configLocator';


/** A config that passed every check, and its rules compiled. */
export interface LoadedConfig {
  config: RelayConfig;
  engine: RuleEngine;
  /** Where a place in the config's text is, for problems found after it loaded (its rules against Code Stream). */
  locate: Locate;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
const validateSchema = ajv.compile(CONFIG_SCHEMA);

/** Reads and checks a config file (YAML, or JSON, which is YAML too). @throws ConfigError listing every problem. */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ file, field: '', message: `cannot read the config: ${(error as Error).message}` }]);
  }
  return parseConfig(text, file);
}

/**
 * Checks a config's text: YAML syntax, then the JSON Schema (unknown keys are errors) and what a
 * schema cannot say: unknown sources in rules, duplicate rule names, patterns, templates and
 * expressions (their fields against the canonical event's), secrets and CA certificates. The
 * second kind runs on every part the schema accepted, so one pass reports every problem of the
 * file. Every problem names the file, the line, the rule and the field.
 * @throws ConfigError listing every problem.
 */
export function parseConfig(text: string, file: string): LoadedConfig {
  const source = new ConfigSource(text);
  const locate = locator(source, file);
  let value = source.json() ?? readPlainYaml(text);
  if (value === undefined) {
    const { document } = source.document();
    if (document.errors.length > 0) {
      throw new ConfigError(
        document.errors.map((error) => ({
          file,
          line: error.linePos?.[0].line,
          column: error.linePos?.[0].col,
          field: '',
          message: `invalid YAML: ${(error.message.split('\n', 1)[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
        })),
      );
    }
    value = document.toJS() as unknown;
  }
  const errors = validateSchema(value) ? [] : (validateSchema.errors ?? []);
  const refusals = new SchemaRefusals(errors);
  const problems = schemaProblems(errors, value, locate);
  const config = isRecord(value) ? value : {};
  const rules = checkRules(config, refusals, locate, problems);
  checkSecrets(config, refusals, locate, problems);
  const reportCertificates = checkReporting(config, refusals, locate, problems, file);
  const codestream = refusals.wellFormed(config.codestream, '/codestream');
  const caCertificates = isRecord(codestream) ? (codestream.caCertificates as string | string[] | undefined) : undefined;
  const resolved = caCertificates === undefined ? undefined : resolveCaCertificates(caCertificates, file);
  for (const { index, message } of resolved?.problems ?? []) {
    problems.push(locate(['codestream', 'caCertificates', ...(index === undefined ? [] : [index])], message));
  }
  if (problems.length > 0) throw new ConfigError(withoutRepeats(problems));
  const checked = value as RelayConfig;
  if (resolved) checked.codestream.caCertificates = resolved.certificates;
  for (const [name, certificates] of reportCertificates) {
    const report = checked.sources[name]?.report;
    if (report) report.caCertificates = certificates;
  }
  return { config: checked, engine: new RuleEngine(rules), locate };
}

/** Unknown sources, duplicate names, and what compiling each rule finds; the rules that compile. */
function checkRules(config: Record<string, unknown>, refusals: SchemaRefusals, locate: Locate, problems: ConfigProblem[]): CompiledRule[] {
  const rules: CompiledRule[] = [];
  if (!Array.isArray(config.rules)) return rules;
  // A source whose settings the schema refused still exists: rules naming it are not wrong. Without
  // a mapping of sources, there is nothing to hold the rules' names against.
  const sources = isRecord(config.sources) ? config.sources : undefined;
  const seen = new Map<string, number>();
  config.rules.forEach((written: unknown, index) => {
    const name = isRecord(written) && typeof written.name === 'string' ? written.name : undefined;
    const definition = refusals.wellFormed(written, `/rules/${index}`) as RuleDefinition | undefined;
    if (!isRecord(definition)) return;
    const at = (path: Path, message: string, offset?: number) => problems.push(locate(['rules', index, ...path], message, name, offset));
    if (name !== undefined) {
      const earlier = seen.get(name);
      if (earlier !== undefined) at(['name'], `the name is already used by rules[${earlier}]`);
      else seen.set(name, index);
    }
    definition.when?.sources?.forEach((source, position) => {
      if (sources && !Object.hasOwn(sources, source)) {
        at(['when', 'sources', position], `unknown source "${source}"; the sources are ${Object.keys(sources).join(', ') || 'none'}`);
      }
    });
    const compiled = compileRule(definition, index);
    for (const issue of compiled.issues) at(issue.path, issue.message, issue.offset);
    if (compiled.rule) rules.push(compiled.rule);
  });
  return rules;
}

/** Sources without a secret whose provider needs one. */
function checkSecrets(config: Record<string, unknown>, refusals: SchemaRefusals, locate: Locate, problems: ConfigProblem[]): void {
  if (!isRecord(config.sources)) return;
  for (const name of Object.keys(config.sources)) {
    const source = refusals.wellFormed(config.sources[name], `/sources/${pointerStep(name)}`) as Partial<SourceDefinition> | undefined;
    if (source?.provider !== undefined && source.secrets?.length === 0 && adapterFor(source.provider).requiresSecret) {
      problems.push(locate(['sources', name, 'secrets'], `a ${source.provider} source needs at least one secret`));
    }
  }
}

/**
 * Reporting that cannot work: a `report` on a source whose Git server takes no commit status from
 * the relay, a rule with `report` that no reporting source can trigger. Reads each source's
 * `report.caCertificates`, as `codestream.caCertificates` is read.
 * @returns the certificates read, by source.
 */
function checkReporting(config: Record<string, unknown>, refusals: SchemaRefusals, locate: Locate, problems: ConfigProblem[], file: string): Map<string, string[]> {
  const certificates = new Map<string, string[]>();
  const sources = isRecord(config.sources) ? config.sources : {};
  const reporting = new Set<string>();
  for (const name of Object.keys(sources)) {
    const source = refusals.wellFormed(sources[name], `/sources/${pointerStep(name)}`) as Partial<SourceDefinition> | undefined;
    if (!source?.report) continue;
    if (source.provider !== undefined && !(REPORTING_PROVIDERS as readonly string[]).includes(source.provider)) {
      problems.push(locate(['sources', name, 'report'], `a ${source.provider} source takes no commit status: reporting works for ${REPORTING_PROVIDERS.join(', ')}`));
      continue;
    }
    reporting.add(name);
    if (source.report.caCertificates === undefined) continue;
    const resolved = resolveCaCertificates(source.report.caCertificates, file);
    for (const { index, message } of resolved.problems) problems.push(locate(['sources', name, 'report', 'caCertificates', ...(index === undefined ? [] : [index])], message));
    certificates.set(name, resolved.certificates);
  }
  if (!Array.isArray(config.rules)) return certificates;
  config.rules.forEach((written: unknown, index) => {
    const rule = refusals.wellFormed(written, `/rules/${index}`) as Partial<RuleDefinition> | undefined;
    if (!rule?.report) return;
    const candidates = rule.when?.sources ?? Object.keys(sources);
    if (candidates.some((name) => reporting.has(name))) return;
    problems.push(
      locate(
        ['rules', index, 'report'],
        `no source this rule matches (${candidates.join(', ') || 'none'}) has a report block: give its Git server's credential (sources.<name>.report.secret; docs/reporting.md)`,
        rule.name,
      ),
    );
  });
  return certificates;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The schema and the other checks can find the same thing: it is reported once. */
function withoutRepeats(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const unique = new Map<string, ConfigProblem>();
  for (const problem of problems) unique.set(`${problem.field}\u0000${problem.message}`, problem);
  return [...unique.values()];
}

function schemaProblems(errors: ErrorObject[], value: unknown, locate: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // A pipeline that is neither form gets one message, not one per branch of the oneOf.
  const pipelines = new Set(errors.filter((error) => error.keyword === 'oneOf' && error.instancePath.endsWith('/pipeline')).map((error) => error.instancePath));
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const path = pointerPath(error.instancePath);
    const pipeline = [...pipelines].find((pointer) => error.instancePath.startsWith(pointer));
    const described = pipeline
      ? { path: pointerPath(pipeline), message: 'needs either id, or project and name (and nothing else)' }
      : describe(error, path, value);
    const rule = ruleName(described.path, value);
    problems.push(locate(described.path, described.message, rule));
  }
  return problems;
}

function describe(error: ErrorObject, path: Path, value: unknown): { path: Path; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], message: `unknown key "${String(params.additionalProperty)}"` };
    case 'required':
      return { path, message: `missing required key "${String(params.missingProperty)}"` };
    case 'enum':
      return { path, message: `${JSON.stringify(valueAt(value, path))} is not one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return { path, message: `must be ${article(String(params.type))}` };
    case 'minItems':
    case 'minLength':
    case 'minProperties':
      return { path, message: 'must not be empty' };
    case 'maxItems':
      return { path, message: `must have at most ${String(params.limit)} entries` };
    case 'pattern':
      return { path, message: `${JSON.stringify(valueAt(value, path))} does not match ${String(params.pattern)}` };
    case 'propertyNames':
      return { path, message: `the name ${JSON.stringify(params.propertyName)} is not allowed` };
    case 'format':
      return { path, message: `must be a valid ${String(params.format)}` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function pointerPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((current, step) => (current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[step] : undefined), value);
}

function ruleName(path: Path, value: unknown): string | undefined {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') return undefined;
  const name = valueAt(value, ['rules', path[1], 'name']);
  return typeof name === 'string' ? name : undefined;
}
