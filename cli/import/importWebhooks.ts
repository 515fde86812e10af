import { text } from '../../lambda/providers/json';
import type { RuleDefinition } from '../../lambda/rules/RuleDefinition';
import { gitWebhookRule } from './gitWebhookRule';
import { type ImportedSource, importedSources } from './importedSources';
import type { ImportedRule, MappedWebhook, NativeWebhook, WebhookMapping } from './nativeWebhook';
import { registryWebhookRule } from './registryWebhookRule';
import { UniqueNames } from './UniqueNames';

/** What `relay import` reports, as `--json` prints it (without the config). */
export interface ImportReport {
  imported: { origin: string; rule: string; source: string }[];
  skipped: { origin: string; reason: string }[];
  /** What was carried over differently or not at all, then what the operator must do next. */
  notes: string[];
}

/** A rule of the imported config, named and on its source, with the comment above it. */
export interface NamedRule {
  definition: ImportedRule & Pick<RuleDefinition, 'name'>;
  comment: string;
}

export interface ImportedWebhooks {
  sources: ImportedSource[];
  rules: NamedRule[];
  report: ImportReport;
}

/**
 * Code Stream's Git and registry webhooks as sources and rules of the relay: one rule per webhook
 * that can be one, one source per server, in a stable order (by project and name, Git first).
 */
export function importWebhooks(git: readonly NativeWebhook[], registry: readonly NativeWebhook[]): ImportedWebhooks {
  const mappings: WebhookMapping[] = [...inOrder(git).map(gitWebhookRule), ...inOrder(registry).map(registryWebhookRule)];
  const mapped = mappings.flatMap((mapping) => ('mapped' in mapping ? [mapping.mapped] : []));
  const plan = importedSources(mapped);
  const names = new UniqueNames();
  const rules = mapped.map((webhook) => namedRule(webhook, names, plan.sourceOf(webhook)));
  return {
    sources: plan.sources,
    rules,
    report: {
      imported: mapped.map((webhook, index) => ({ origin: webhook.origin.text, rule: rules[index]?.definition.name ?? '', source: plan.sourceOf(webhook) })),
      skipped: mappings.flatMap((mapping) => ('skipped' in mapping ? [{ origin: mapping.skipped.origin.text, reason: mapping.skipped.reason }] : [])),
      notes: [...mapped.flatMap((webhook) => webhook.notes.map((note) => `${webhook.origin.text}: ${note}`)), ...plan.nextSteps],
    },
  };
}

/** The webhooks by project and name, each once: a webhook listed on two pages (the list changed while it was read) counts once. */
function inOrder(webhooks: readonly NativeWebhook[]): NativeWebhook[] {
  const byId = new Map<string, NativeWebhook>();
  webhooks.forEach((webhook, index) => byId.set(text(webhook, 'id') ?? `#${index}`, webhook));
  const key = (webhook: NativeWebhook) => `${text(webhook, 'project') ?? ''}\u0000${text(webhook, 'name') ?? ''}`;
  return [...byId.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The rule named after its webhook (then project-webhook, then numbered), on its source, keys in the order of docs/rules.md. */
function namedRule(webhook: MappedWebhook, names: UniqueNames, source: string): NamedRule {
  const { origin, rule } = webhook;
  const name = names.claim([origin.name, `${origin.project}-${origin.name}`], `${origin.kind}-webhook`);
  const { description, when, pipeline, input, quietPeriod } = rule;
  const definition: NamedRule['definition'] = {
    name,
    ...(description === undefined ? {} : { description }),
    when: { sources: [source], ...when },
    pipeline,
    ...(input === undefined ? {} : { input }),
    ...(quietPeriod === undefined ? {} : { quietPeriod }),
  };
  return { definition, comment: `imported from ${origin.text}` };
}
