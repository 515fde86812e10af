import type { ImportReport } from './importWebhooks';

/**
 * The report for people (stderr): how many webhooks became rules, then each one not carried over
 * and why, then the notes, the next steps last.
 */
export function formatReport(report: ImportReport, written: string): string {
  const total = report.imported.length + report.skipped.length;
  const sources = new Set(report.imported.map((entry) => entry.source)).size;
  const lines = [
    `relay import: ${report.imported.length} of ${total} Code Stream webhooks imported as rules, on ${sources} source${sources === 1 ? '' : 's'}; ${written}`,
  ];
  if (report.skipped.length > 0) {
    lines.push('not carried over:', ...report.skipped.map((entry) => `  - ${entry.origin}: ${entry.reason}`));
  }
  if (report.notes.length > 0) lines.push('notes and next steps:', ...report.notes.map((note) => `  - ${note}`));
  return `${lines.join('\n')}\n`;
}

/** Why nothing could be imported: every webhook read and why it was left out, or that there were none. */
export function nothingImported(report: ImportReport, url: string): string {
  if (report.skipped.length === 0) return `Code Stream at ${url} has no Git or registry webhooks to import`;
  return [
    `none of the ${report.skipped.length} Code Stream webhooks at ${url} could be imported:`,
    ...report.skipped.map((entry) => `  - ${entry.origin}: ${entry.reason}`),
  ].join('\n');
}

/** The report with `redact` applied to every text that comes from Code Stream. */
export function redactedReport(report: ImportReport, redact: (text: string) => string): ImportReport {
  return {
    imported: report.imported.map(({ origin, rule, source }) => ({ origin: redact(origin), rule: redact(rule), source })),
    skipped: report.skipped.map(({ origin, reason }) => ({ origin: redact(origin), reason: redact(reason) })),
    notes: report.notes.map(redact),
  };
}
