import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { type Document, LineCounter, isMap, parseDocument } from 'yaml';
import { resolveCaCertificates } from './caCertificates';
import { compileRule, type CompiledRule } from '../rules/compileRule';
import { adapterFor } from '../providers/registry';
import { CONFIG_SCHEMA } from './configSchema';
import { ConfigError, type ConfigProblem } from './ConfigError';
import type { RelayConfig } from './RelayConfig';
import { RuleEngine } from '../rules/RuleEngine';
import { readPlainYaml } from './readPlainYaml';

type Path = (string | number)[];

/** A config that passed every check, and its rules compiled. */
export interface LoadedConfig {
  config: RelayConfig;
  engine: RuleEngine;
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
 * Checks a config's text: YAML syntax, then the JSON Schema (unknown keys are errors), then what a
 * schema cannot say: unknown sources in rules, duplicate rule names, patterns, templates and
 * expressions. Every problem names the file, the line, the rule and the field.
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
  if (!validateSchema(value)) {
    throw new ConfigError(schemaProblems(validateSchema.errors ?? [], value, locate));
  }
  const config = value as RelayConfig;
  const problems: ConfigProblem[] = [];
  const rules: CompiledRule[] = [];
  const seen = new Map<string, number>();
  config.rules.forEach((definition, index) => {
    const at = (path: Path, message: string) => problems.push(locate(['rules', index, ...path], message, definition.name));
    const earlier = seen.get(definition.name);
    if (earlier !== undefined) at(['name'], `the name is already used by rules[${earlier}]`);
    seen.set(definition.name, index);
    definition.when?.sources?.forEach((source, position) => {
      if (!Object.hasOwn(config.sources, source)) {
        at(['when', 'sources', position], `unknown source "${source}"; the sources are ${Object.keys(config.sources).join(', ') || 'none'}`);
      }
    });
    const compiled = compileRule(definition, index);
    for (const issue of compiled.issues) at(issue.path, issue.message);
    if (compiled.rule) rules.push(compiled.rule);
  });
  for (const [name, source] of Object.entries(config.sources)) {
    if (source.secrets.length === 0 && adapterFor(source.provider).requiresSecret) {
      problems.push(locate(['sources', name, 'secrets'], `a ${source.provider} source needs at least one secret`));
    }
  }
  const { caCertificates } = config.codestream;
  if (caCertificates !== undefined) {
    const resolved = resolveCaCertificates(caCertificates, file);
    for (const { index, message } of resolved.problems) {
      problems.push(locate(['codestream', 'caCertificates', ...(index === undefined ? [] : [index])], message));
    }
    config.codestream.caCertificates = resolved.certificates;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, engine: new RuleEngine(rules) };
}

type Locate = (path: Path, message: string, rule?: string) => ConfigProblem;

/**
 * The config's text, read as JSON when it is JSON (the fast path at a cold start: YAML parsing of
 * a large config costs seconds; YAML in the plain subset has its own fast path, readPlainYaml)
 * and as a YAML document, with positions, when problems need lines.
 */
class ConfigSource {
  #document?: { document: Document; lineCounter: LineCounter };

  constructor(private readonly text: string) {}

  json(): unknown {
    if (!/^\s*\{/.test(this.text)) return undefined;
    try {
      return JSON.parse(this.text) as unknown;
    } catch {
      return undefined;
    }
  }

  document(): { document: Document; lineCounter: LineCounter } {
    if (!this.#document) {
      const lineCounter = new LineCounter();
      const document = parseDocument(this.text, { lineCounter, uniqueKeys: true, prettyErrors: true });
      this.#document = { document, lineCounter };
    }
    return this.#document;
  }
}

/** Turns a path into the config into a problem with its line, from the YAML document's node ranges. */
function locator(source: ConfigSource, file: string): Locate {
  return (path, message, rule) => {
    const { document, lineCounter } = source.document();
    const node = nodeAt(document, path);
    const position = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
    return { file, line: position?.line, column: position?.col, rule, field: fieldName(path), message };
  };
}

/** The deepest node on the path that exists; for a map key that is not there yet, the map. */
function nodeAt(document: Document, path: Path): { range?: [number, number, number] | null } | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const prefix = path.slice(0, depth);
    const node = prefix.length === 0 ? document.contents : document.getIn(prefix, true);
    if (node && typeof node === 'object') {
      // For a key inside a map, point at the key itself rather than at its value.
      const parent = depth > 0 ? document.getIn(prefix.slice(0, -1), true) : undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === prefix[prefix.length - 1]);
        const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
        if (keyNode?.range && depth === path.length) return keyNode;
      }
      return node as { range?: [number, number, number] | null };
    }
  }
  return undefined;
}

function fieldName(path: Path): string {
  return path.reduce<string>((name, step) => (typeof step === 'number' ? `${name}[${step}]` : name ? `${name}.${step}` : step), '');
}

function schemaProblems(errors: ErrorObject[], value: unknown, locate: Locate): ConfigProblem[] {
  const problems = new Map<string, ConfigProblem>();
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
    const problem = locate(described.path, described.message, rule);
    problems.set(`${problem.field}\u0000${problem.message}`, problem);
  }
  return [...problems.values()];
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
