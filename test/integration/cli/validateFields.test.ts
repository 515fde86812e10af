import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';

const ROOT = path.join(__dirname, '../../..');
// The example config's target and sources, with the rules a test gives.
const HEAD = `${readFileSync(path.join(ROOT, 'relay.config.yaml'), 'utf8').split('\nrules:\n')[0] ?? ''}\nrules:\n`;

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

function configWith(rules: string): { file: string; line: (text: string) => number } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-fields-')), 'relay.config.yaml');
  const text = `${HEAD}${rules}`;
  writeFileSync(file, text);
  return { file, line: (part) => text.slice(0, text.indexOf(part)).split('\n').length };
}

it('relay validate --json reports misspelt fields with schema problems, in file order, each at its field', async () => {
  const { file, line } = configWith(`  - name: build
    pipeline: { project: demo, name: build }
    when:
      events: [push]
      expression: 'event.git.brnch == "main"'
      branchs: [main]
    input:
      GIT_REF: \${event.git.reff}
      RETRIES: 3
  - name: check
    pipeline: { id: p }
    when:
      expression: event.sender
`);
  const { code, stdout, stderr } = await relay('validate', '--config', file, '--json');
  expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
  expect(JSON.parse(stdout)).toEqual({
    file,
    valid: false,
    problems: [
      {
        line: line("      expression: 'event.git.brnch"),
        column: 30,
        rule: 'build',
        field: 'rules[0].when.expression',
        message: 'event.git has no field "brnch"; did you mean event.git.branch?',
      },
      { line: line('      branchs:'), column: 7, rule: 'build', field: 'rules[0].when.branchs', message: 'unknown key "branchs"' },
      {
        line: line('      GIT_REF:'),
        column: 28,
        rule: 'build',
        field: 'rules[0].input.GIT_REF',
        message: '${event.git.reff}: event.git has no field "reff"; did you mean event.git.ref?',
      },
      { line: line('      RETRIES:'), column: 7, rule: 'build', field: 'rules[0].input.RETRIES', message: 'must be a string' },
      {
        line: line('      expression: event.sender'),
        column: 19,
        rule: 'check',
        field: 'rules[1].when.expression',
        message: 'the expression gives a string, not a bool',
      },
    ],
  });
});

it('relay validate accepts any field of the delivery, and the event fields there are', async () => {
  const { file } = configWith(`  - name: build
    pipeline: { id: p }
    when:
      expression: 'body.x == "y" && headers["x-y"] == "z" && has(event.git.tag) && event.git.pullRequest.number > 3'
    input:
      FIRST_ADDED: \${event.git.changedFiles.added[0]:-none}
      ANYTHING: \${body.a.b[0].c:-none}
`);
  const { code, stdout, stderr } = await relay('validate', '--config', file);
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${file}: valid: 14 sources, 1 rules\n`, stderr: '' });
});
