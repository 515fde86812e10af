import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { readPlainYaml } from '../../../lambda/config/readPlainYaml';

const ROOT = path.join(__dirname, '../../..');

describe('the configs of the repository', () => {
  it.each(['relay.config.yaml', 'examples/on-premises/relay.config.yaml'])('reads %s as yaml does', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const value = readPlainYaml(text);
    expect(value).toBeDefined();
    expect(value).toStrictEqual(parse(text));
  });
});

describe('the plain subset', () => {
  it('reads block mappings and sequences, indented or not under their key', () => {
    const text = ['rules:', '- name: build', '  when:', '    events: [push, tag]', '    branches:', '      - main', '  pipeline: { project: demo, name: build }', 'sources: {}'].join('\n');
    expect(readPlainYaml(text)).toStrictEqual({
      rules: [{ name: 'build', when: { events: ['push', 'tag'], branches: ['main'] }, pipeline: { project: 'demo', name: 'build' } }],
      sources: {},
    });
  });

  it('resolves plain scalars with the core schema, as yaml does', () => {
    const text = ['a: true', 'b: False', 'c: ~', 'd:', 'e: 12', 'f: 0x1F', 'g: 0o17', 'h: 1.5e3', 'i: .inf', 'j: yes', 'k: 2019-10-17', 'l: 1_000', 'm: "12"'].join('\n');
    expect(readPlainYaml(text)).toStrictEqual(parse(text));
    expect(readPlainYaml(text)).toMatchObject({ a: true, b: false, c: null, d: null, e: 12, f: 31, g: 15, h: 1500, i: Infinity, j: 'yes', k: '2019-10-17', l: '1_000', m: '12' });
  });

  it('keeps templates, URLs and hashes without a space before them in plain scalars, and drops comments', () => {
    const text = ['a: ${event.git.ref:-none}  # the ref', 'b: https://vra.example.com/x#y', "c: 'it''s' # quoted", 'd: "tab\\tand \\"quote\\""'].join('\n');
    expect(readPlainYaml(text)).toStrictEqual({ a: '${event.git.ref:-none}', b: 'https://vra.example.com/x#y', c: "it's", d: 'tab\tand "quote"' });
  });
});

describe('sequence items outside the subset', () => {
  const plainRule = ['- name: build', '  pipeline: { id: a }'];

  it('reads them with yaml, and the rest without', () => {
    const text = ['rules:', ...plainRule, '- name: long', '  comments: "a long comment', '    folded over two lines"', '  tags: &tags [a, b]', ...plainRule.map((line) => line.replace('build', 'deploy'))].join('\n');
    const value = readPlainYaml(text);
    expect(value).toBeDefined();
    expect(value).toStrictEqual(parse(text));
  });

  it('leaves the whole text to yaml when an item refers to an anchor elsewhere', () => {
    expect(readPlainYaml(['defaults: &defaults { id: a }', 'rules:', '- name: build', '  pipeline: *defaults'].join('\n'))).toBeUndefined();
  });

  it('leaves the whole text to yaml when an item has a mistake', () => {
    expect(readPlainYaml(['rules:', ...plainRule, '- name: bad', '  comments: "unclosed'].join('\n'))).toBeUndefined();
  });
});

describe('what it leaves to yaml', () => {
  it.each([
    ['an anchor and an alias', 'a: &x 1\nb: *x'],
    ['a tag', 'a: !!str 1'],
    ['a block scalar', 'a: |\n  text'],
    ['a multi-line plain scalar', 'a: one\n  two'],
    ['a multi-line quoted scalar', 'a: "one\n  two"'],
    ['a multi-line flow sequence', 'a: [one,\n  two]'],
    ['a nested flow collection', 'a: [one, [two]]'],
    ['a duplicate key', 'a: 1\na: 2'],
    ['a key that is not a string', '1: a'],
    ['a mapping in a plain scalar', 'a: b: c'],
    ['a tab', 'a:\tb'],
    ['CR line ends', 'a: 1\r\nb: 2'],
    ['a document marker', '---\na: 1'],
    ['a directive', '%YAML 1.2\n---\na: 1'],
    ['a merge key', '<<: {a: 1}'],
    ['an unusual escape', 'a: "\\u00e9"'],
    ['a scalar document', 'hello'],
    ['a mistake: a dedent to no enclosing level', 'a:\n    b: 1\n  c: 2'],
    ['a mistake: an unclosed quote', 'a: "b'],
  ])('%s', (_, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });
});
