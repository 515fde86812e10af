import { Document, isMap, isPair, isSeq, type Node, visit } from 'yaml';
import type { ImportedWebhooks } from './importWebhooks';

/**
 * The imported config as YAML: the `codestream` block given, then the sources and rules, each
 * with a comment saying what it replaces. Lists, pipelines and quiet periods are written inline, as the example
 * config writes them.
 */
export function importedConfigYaml(codestream: Node, imported: Pick<ImportedWebhooks, 'sources' | 'rules'>, header: string): string {
  const document = new Document({
    codestream: null,
    sources: Object.fromEntries(imported.sources.map((source) => [source.name, source.definition])),
    rules: imported.rules.map((rule) => rule.definition),
  });
  document.set('codestream', codestream);
  document.commentBefore = header;
  const sources = document.get('sources', true);
  if (isMap(sources)) {
    sources.items.forEach((pair, index) => {
      const comment = imported.sources[index]?.comment;
      if (isPair(pair) && comment !== undefined) Object.assign(pair.key as Node, { commentBefore: ` ${comment}`, spaceBefore: index > 0 });
    });
  }
  const rules = document.get('rules', true);
  if (isSeq(rules)) {
    rules.items.forEach((rule, index) => {
      const comment = imported.rules[index]?.comment;
      Object.assign(rule as Node, { commentBefore: comment === undefined ? undefined : ` ${comment}`, spaceBefore: index > 0 });
      if (isMap(rule)) {
        for (const key of ['pipeline', 'quietPeriod']) {
          const value = rule.get(key, true);
          if (isMap(value)) value.flow = true;
        }
      }
    });
  }
  // Short lists inline (`events: [push]`, `secrets: [webhooks/github]`) outside the codestream block.
  for (const key of ['sources', 'rules']) {
    visit(document.get(key, true) as Node, {
      Seq(_key, node) {
        if (node !== rules) node.flow = true;
      },
    });
  }
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
