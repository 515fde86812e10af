/**
 * A command's usage, kept beside the command: `usage: relay …` (further forms on lines that start
 * `       relay …`), then one line saying what it does, then its options. `--help` prints it whole;
 * the top-level usage lists each command's forms and that line (see {@link overview}).
 */
export type Usage = string;

const FIRST = 'usage: relay ';
const MORE = '       relay ';

/** The forms of the command and what it does, as the top-level usage lists them. */
export function overview(usage: Usage): string {
  const lines = usage.split('\n');
  const forms = lines.filter((line) => line.startsWith(FIRST) || line.startsWith(MORE)).map((line) => `  ${line.slice(FIRST.length)}`);
  const summary = lines[forms.length];
  return [...forms, ...(summary === undefined ? [] : [`      ${summary}`])].join('\n');
}
