import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const LAMBDA = path.join(__dirname, '../../lambda');

/**
 * The folders of lambda/, lowest first: a folder may import only from folders of a lower layer
 * (DESIGN §2: handlers → relay → rules, providers, codestream; each function's root on top).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['bodies'],
  ['events', 'secrets'],
  ['providers', 'codestream'],
  ['rules', 'history'],
  ['status'],
  ['config'],
  ['ingress', 'relay'],
  ['handlers'],
];

interface Import {
  from: string;
  to: string;
  specifier: string;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const imports: Import[] = sourceFiles(LAMBDA).flatMap((file) =>
  ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map(({ fileName }) => ({
    from: file,
    to: fileName.startsWith('.') ? `${path.resolve(path.dirname(file), fileName)}.ts` : fileName,
    specifier: fileName,
  })),
);

const folderOf = (file: string) => path.relative(LAMBDA, file).split(path.sep)[0] ?? '';
const layerOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

it('every folder of lambda/ has a layer', () => {
  const folders = [...new Set(sourceFiles(LAMBDA).map(folderOf))];
  expect(folders.filter((folder) => layerOf(folder) < 0)).toEqual([]);
});

it('imports between folders point down the layers only', () => {
  const upward = imports
    .filter((edge) => edge.specifier.startsWith('.') && folderOf(edge.from) !== folderOf(edge.to))
    .filter((edge) => layerOf(folderOf(edge.to)) >= layerOf(folderOf(edge.from)))
    .map((edge) => `${path.relative(LAMBDA, edge.from)} → ${edge.specifier}`);
  expect(upward).toEqual([]);
});

it('the runtime code imports no CDK, and nothing of infra/, local/, cli/, bench/ or test/', () => {
  const outside = imports
    .filter((edge) => /^(aws-cdk-lib|constructs)(\/|$)/.test(edge.specifier) || (edge.specifier.startsWith('.') && !edge.to.startsWith(LAMBDA)))
    .map((edge) => `${path.relative(LAMBDA, edge.from)} → ${edge.specifier}`);
  expect(outside).toEqual([]);
});

it('no import cycle between files', () => {
  const graph = new Map<string, string[]>();
  for (const edge of imports.filter((candidate) => candidate.specifier.startsWith('.'))) {
    graph.set(edge.from, [...(graph.get(edge.from) ?? []), edge.to]);
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map((step) => path.relative(LAMBDA, step)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  expect(cycles).toEqual([]);
});
