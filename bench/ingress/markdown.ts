import os from 'node:os';

/*
 * The report format of bench/rules (which keeps its own copy), shared by the ingress and bundle
 * benchmarks so that every table in docs/benchmarks.md reads alike.
 */

/** A Markdown table, the text columns left-aligned and the figures right-aligned; `—` marks a figure not measured. */
export function table(header: string[], body: string[][]): string {
  const align = header.map((_, column) => (body.every((cells) => /^([\d.,-]+|—)$/.test(cells[column] ?? '')) ? '--:' : ':--'));
  return [header, align, ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Two decimals below 10, one below 100, none above: enough to compare, without false precision. */
export function figure(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}

/** The machine line of every benchmark's header. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${os.platform()} ${os.arch()}, Node ${process.version}`;
}
