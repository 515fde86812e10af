import * as fc from 'fast-check';
import { parseDocument } from 'yaml';
import { readPlainYaml } from '../../lambda/config/readPlainYaml';

// Property-based fuzzing of the plain-YAML fast path against `yaml` itself (`npm run fuzz` for the long run).
// FUZZ_RUNS sets the cases, FUZZ_SEED replays a run: the seed is printed on a failure.
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED);
const TIMEOUT_MS = 60_000 + RUNS * 5;

/** Keys and scalars near the edges of the subset: numbers, booleans, nulls, indicators, quotes, comments. */
const KEYS = ['name', 'when', 'a b', 'x#y', 'x #y', '"quoted"', "'single'", '"a": b', 'true', '1', '~', 'null', '<<', '__proto__', 'k:v', '-k', '?k', '[k]', 'é'];
const SCALARS = [
  'main',
  'release/*',
  '${event.git.ref}',
  '${event.sender:-unknown}',
  'https://vra.example.com',
  'a b',
  'a  #comment',
  'a#b',
  'a: b',
  'a:',
  '1',
  '-1',
  '+12',
  '007',
  '0x1F',
  '0o17',
  '1.5',
  '1.',
  '.5',
  '1e3',
  '1_000',
  '.inf',
  '-.Inf',
  '.nan',
  'true',
  'False',
  'yes',
  'null',
  '~',
  'Null',
  '2019-10-17',
  '"double"',
  '"with \\"escape\\" \\\\ \\n"',
  '"\\u00e9"',
  '"unclosed',
  '"a"b',
  '"a" #c',
  "'single'",
  "'it''s'",
  "'a'#c",
  '[]',
  '{}',
  '[a, b]',
  '[a,b]',
  '["a", \'b\', 1, true]',
  '[a, ]',
  '[a,,b]',
  '[a: b]',
  '[a, [b]]',
  '[a #c]',
  '[a, b] #c',
  '[a, b]x',
  '{ project: demo, name: build }',
  '{a: 1, a: 2}',
  '{a: }',
  '{a:b}',
  '{"a": b}',
  '{1: b}',
  '&anchor a',
  '*alias',
  '!tag a',
  '!!str 1',
  '|',
  '>-',
  '%x',
  '@x',
  '`x',
  '- a',
  '-',
  '? a',
  ': a',
  ',a',
  '#c',
  'é',
  'one\n  two',
  '"one\n      two"',
  "'one\n\n    two'",
  '[one,\n    two]',
  '|\n      block',
  '>-\n        folded',
];

// Mostly what configs hold, now and then anything from the lists above.
const COMMON_KEYS = ['name', 'when', 'events', 'pipeline', 'input', 'tags', 'a b', '"quoted"', 'GIT_REF', 'é'];
const COMMON_SCALARS = ['main', 'release/*', '${event.git.ref}', 'https://vra.example.com', 'a b', 'a  #comment', '1', 'true', '"double"', "'it''s'", '[a, b]', '{ project: demo, name: build }', '[]'];
const key = fc.oneof({ arbitrary: fc.constantFrom(...COMMON_KEYS), weight: 12 }, { arbitrary: fc.constantFrom(...KEYS), weight: 1 });
const scalar = fc.oneof({ arbitrary: fc.constantFrom(...COMMON_SCALARS), weight: 12 }, { arbitrary: fc.constantFrom(...SCALARS), weight: 1 });

const line = fc.record({
  indent: fc.integer({ min: 0, max: 6 }),
  kind: fc.constantFrom('entry', 'key', 'item', 'itemEntry', 'dash', 'comment', 'blank'),
  key,
  value: scalar,
  gap: fc.constantFrom(' ', '  '),
});

function render({ indent, kind, key, value, gap }: { indent: number; kind: string; key: string; value: string; gap: string }): string {
  const spaces = ' '.repeat(indent);
  switch (kind) {
    case 'entry':
      return `${spaces}${key}:${gap}${value}`;
    case 'key':
      return `${spaces}${key}:`;
    case 'item':
      return `${spaces}-${gap}${value}`;
    case 'itemEntry':
      return `${spaces}-${gap}${key}:${gap}${value}`;
    case 'dash':
      return `${spaces}-`;
    case 'comment':
      return `${spaces}# ${value}`;
    default:
      return '';
  }
}

/** Line soup: a top-level key, then lines that sometimes nest sensibly and often do not. */
const soups = fc.array(line, { minLength: 1, maxLength: 12 }).map((lines) => ['rules:', ...lines.map(render)].join('\n'));

type Tree = { scalar: string } | { mapping: [string, Tree][] } | { sequence: Tree[] };

const { tree } = fc.letrec<{ tree: Tree }>((next) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ scalar }),
    fc.record({ mapping: fc.uniqueArray(fc.tuple(key, next('tree')), { minLength: 1, maxLength: 4, selector: ([name]) => name }) }),
    fc.record({ sequence: fc.array(next('tree'), { minLength: 1, maxLength: 4 }) }),
  ),
}));

/** How a tree is written: the indentation steps and whether sequences under keys are indented. */
const style = fc.record({ step: fc.integer({ min: 1, max: 4 }), indentless: fc.boolean(), comments: fc.boolean() });

function write(node: Tree, indent: number, options: { step: number; indentless: boolean; comments: boolean }): string[] {
  const spaces = ' '.repeat(indent);
  if ('scalar' in node) return [`${spaces}${node.scalar}`];
  const lines: string[] = [];
  if ('mapping' in node) {
    for (const [key, value] of node.mapping) {
      if (options.comments && lines.length > 0) lines.push(`${spaces}# ${key}`);
      if ('scalar' in value) lines.push(`${spaces}${key}: ${value.scalar}`);
      else lines.push(`${spaces}${key}:`, ...write(value, indent + ('sequence' in value && options.indentless ? 0 : options.step), options));
    }
    return lines;
  }
  for (const item of node.sequence) {
    if ('scalar' in item) lines.push(`${spaces}- ${item.scalar}`);
    else {
      // A mapping in a sequence starts on the dash's line, its keys aligned after "- ".
      const [first, ...rest] = write(item, indent + 2, options);
      lines.push(`${spaces}- ${(first ?? '').trimStart()}`, ...rest);
    }
  }
  return lines;
}

const trees = fc.tuple(fc.record({ mapping: fc.uniqueArray(fc.tuple(key, tree), { minLength: 1, maxLength: 4, selector: ([name]) => name }) }), style).map(([root, options]) => write(root, 0, options).join('\n'));

it.each([
  ['line soup', soups],
  ['trees', trees],
])('gives the value yaml gives, or leaves the text to yaml: %s', (_, documents) => {
  // yaml warns on the process for each key that is a collection: the test makes thousands.
  jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  let accepted = 0;
  fc.assert(
    fc.property(documents, (text) => {
      const fast = readPlainYaml(text);
      if (fast === undefined) return;
      accepted += 1;
      const document = parseDocument(text, { uniqueKeys: true });
      expect(document.errors.map((error) => error.message)).toEqual([]);
      expect(fast).toStrictEqual(document.toJS());
    }),
    { numRuns: RUNS, seed: SEED },
  );
  // The property says nothing if every document is left to yaml.
  expect(accepted).toBeGreaterThan(RUNS / 20);
}, TIMEOUT_MS);
