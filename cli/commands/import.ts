import { writeFileSync } from 'node:fs';
import { ConfigError, formatProblem } from '../../lambda/config/ConfigError';
import { parseConfig } from '../../lambda/config/loadConfig';
import { CODESTREAM_OPTIONS, CODESTREAM_OPTIONS_USAGE, codeStreamForCli, codeStreamUnavailable } from '../codeStreamForCli';
import { configPath } from '../configPath';
import { CommandError } from '../errors';
import { codeStreamBlock } from '../import/codeStreamBlock';
import { importedConfigYaml } from '../import/importedConfigYaml';
import { formatReport, nothingImported, redactedReport } from '../import/importReport';
import { importWebhooks } from '../import/importWebhooks';
import { readAllPages } from '../import/readAllPages';
import { WebhookCredentials } from '../import/webhookCredentials';
import { EXIT, type Io } from '../Io';
import { loadRelayConfig } from '../loadRelayConfig';
import { parseCommandArgs } from '../parseCommandArgs';

export const IMPORT_USAGE = `usage: relay import [--config FILE] [--url URL] [--secrets FILE] [--out FILE] [--json]
write a config that takes over Code Stream's Git and registry webhooks, and report what it cannot carry over
  --config FILE  whose codestream settings read Code Stream, and are copied into the output
                 (else $RELAY_CONFIG, else ./relay.config.yaml)
${CODESTREAM_OPTIONS_USAGE}
  --out FILE     write the config to FILE, which must not exist yet (default: stdout)
  --json         one JSON object on stdout: {"config": YAML (or "out": FILE), "imported": [{"origin",
                 "rule", "source"}], "skipped": [{"origin", "reason"}], "notes": [...]}
the report goes to stderr; exit 0 written, 1 nothing importable or FILE not written, 2 when Code
Stream cannot be reached or refuses the credential`;

/**
 * `relay import`: reads every Git and registry webhook from Code Stream, all pages, and writes the
 * config that replaces them (the config's codestream block, a source per server, a rule per
 * webhook), with a report of what could not be carried over and what to do next. Never prints a
 * webhook's secret token or any other credential Code Stream serves with it.
 */
export async function importCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(IMPORT_USAGE, {
    args,
    options: { ...CODESTREAM_OPTIONS, config: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const file = configPath(values.config);
  const { config } = loadRelayConfig(file);
  const url = values.url ?? config.codestream.url;
  const codeStream = codeStreamForCli(config.codestream, values);
  const git = await readAllPages(codeStream, '/codestream/api/git-webhooks', 'listing Git webhooks');
  if ('kind' in git) throw codeStreamUnavailable(git, url, 'the webhooks');
  const registry = await readAllPages(codeStream, '/codestream/api/registry-webhooks', 'listing registry webhooks');
  if ('kind' in registry) throw codeStreamUnavailable(registry, url, 'the webhooks');

  const credentials = new WebhookCredentials();
  for (const webhook of [...git.documents, ...registry.documents]) credentials.collect(webhook);
  const imported = importWebhooks(git.documents, registry.documents);
  if (imported.rules.length === 0) throw new CommandError(credentials.redact(nothingImported(imported.report, url)), { code: 'nothing_imported' });

  const header = ` Imported by relay import from the Git and registry webhooks of Code Stream at ${url}.\n Its report lists what was not carried over and what to do before deploying.`;
  const yaml = importedConfigYaml(codeStreamBlock(file, values.out, config.codestream), imported, header);
  const notes = [...imported.report.notes, ...selfCheck(yaml, values.out)];
  if ([yaml, ...notes].some((text) => credentials.appearsIn(text))) {
    notes.push('a credential Code Stream served with the webhooks appeared in a description or name, and is replaced by [redacted] wherever it appeared');
  }
  const report = redactedReport({ ...imported.report, notes }, (text) => credentials.redact(text));
  const text = credentials.redact(yaml);
  if (values.out !== undefined) write(values.out, text);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ...(values.out === undefined ? { config: text } : { out: values.out }), ...report })}\n`);
  } else {
    if (values.out === undefined) io.stdout.write(text);
    io.stderr.write(formatReport(report, values.out === undefined ? 'the config is on stdout' : `the config is written to ${values.out}`));
  }
  return EXIT.ok;
}

/** Whether the imported config passes `relay validate`; one note per problem when it does not. */
function selfCheck(yaml: string, out: string | undefined): string[] {
  try {
    parseConfig(yaml, out ?? 'the imported config');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `the imported config does not pass relay validate: ${formatProblem(problem)}`);
  }
}

/** Writes a new file: an existing config is never overwritten. */
function write(out: string, text: string): void {
  try {
    writeFileSync(out, text, { flag: 'wx' });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'EEXIST' ? 'it exists; choose another --out, or move it away first' : (code ?? message);
    throw new CommandError(`cannot write the imported config to ${out}: ${reason}`, { code: 'unwritable_file', cause: error });
  }
}
