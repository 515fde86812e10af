import type { ExecutionRequest, PipelineRef } from '../codestream/types';
import { describeEvent } from '../events/describeEvent';
import { nativeTriggerInput } from '../events/nativeTriggerInput';
import { type Condition, type ConditionIssue, compileConditions, issueOf } from './conditions';
import type { Delivery } from './Delivery';
import { type QuietPeriod, compileQuietPeriod, quietPeriodIssues } from './quietPeriod';
import type { RuleDefinition } from './RuleDefinition';
import { MissingFieldError, type Template, compileTemplate } from './templates';

/** A rule ready to match: its conditions in checking order, and how it builds its request. */
export interface CompiledRule {
  /** Position in the config: decisions and matches keep config order. */
  index: number;
  name: string;
  conditions: Condition[];
  pipeline: PipelineRef;
  /** @throws MissingFieldError when a template needs a field the delivery lacks. */
  buildRequest(delivery: Delivery): ExecutionRequest;
  /** Where the rule has one: its matches wait, and only the newest per key runs. */
  quietPeriod?: QuietPeriod;
  /** Where the rule reports: the name of its commit status. */
  report?: { context: string };
}

/** The first condition the delivery fails, as `when.branches: branch "dev" does not match main`. */
export function firstFailure(rule: CompiledRule, delivery: Delivery): string | undefined {
  for (const condition of rule.conditions) {
    const reason = condition.test(delivery);
    if (reason !== undefined) return `${condition.field}: ${reason}`;
  }
  return undefined;
}

/** Builds the request, or says which template failed. */
export function requestOrError(rule: CompiledRule, delivery: Delivery): { request: ExecutionRequest } | { error: string } {
  try {
    return { request: rule.buildRequest(delivery) };
  } catch (error) {
    if (error instanceof MissingFieldError) return { error: error.message };
    throw error;
  }
}

/** @returns the compiled rule, or every issue found in it, each with its path inside the rule. */
export function compileRule(definition: RuleDefinition, index: number): { rule?: CompiledRule; issues: ConditionIssue[] } {
  const { conditions, issues } = compileConditions(definition.when);
  // Plain loops: a config of 10,000 rules compiles tens of thousands of templates at a cold start.
  const input: (FieldTemplate & { name: string })[] = [];
  for (const [name, text] of Object.entries(definition.input ?? {})) {
    const compiled = fieldTemplate(`input.${name}`, text, ['input', name], issues);
    if (compiled) input.push({ name, field: compiled.field, template: compiled.template });
  }
  const comments = definition.comments === undefined ? undefined : fieldTemplate('comments', definition.comments, ['comments'], issues);
  const source = definition.source === undefined ? undefined : fieldTemplate('source', definition.source, ['source'], issues);
  const tags: FieldTemplate[] = [];
  definition.tags?.forEach((text, position) => {
    const compiled = fieldTemplate(`tags[${position}]`, text, ['tags', position], issues);
    if (compiled) tags.push(compiled);
  });
  const quietKey: FieldTemplate[] = [];
  if (definition.quietPeriod) issues.push(...quietPeriodIssues(definition.quietPeriod));
  definition.quietPeriod?.key?.forEach((text, position) => {
    const compiled = fieldTemplate(`quietPeriod.key[${position}]`, text, ['quietPeriod', 'key', position], issues);
    if (compiled) quietKey.push(compiled);
  });
  if (issues.length > 0) return { issues };
  const nativeInput = definition.nativeInput !== false;
  const rule: CompiledRule = {
    index,
    name: definition.name,
    conditions,
    pipeline: definition.pipeline,
    // This runs for every match of every delivery: the field names are made once, above, and
    // the tags are deduplicated in a list, which for a handful is cheaper than a Set.
    buildRequest(delivery) {
      const { event } = delivery;
      const values: Record<string, string> = nativeInput ? nativeTriggerInput(event) : {};
      for (const entry of input) values[entry.name] = rendered(entry, delivery);
      // The delivery id and rule in the tags let an operator, and the relay after an unanswered
      // call, find the execution from a delivery, and back.
      const tagValues: string[] = [];
      for (const tag of tags) addTag(tagValues, rendered(tag, delivery));
      for (const tag of executionTags(event.deliveryId, definition.name)) addTag(tagValues, tag);
      return {
        comments: comments ? rendered(comments, delivery) : describeEvent(event),
        input: values,
        source: source ? rendered(source, delivery) : `webhook-relay:${event.source}`,
        tags: tagValues,
      };
    },
    quietPeriod:
      definition.quietPeriod &&
      compileQuietPeriod(definition.quietPeriod, quietKey.length > 0 ? (delivery) => quietKey.map((part) => rendered(part, delivery)) : undefined),
    report: definition.report ? { context: (typeof definition.report === 'object' && definition.report.context) || `codestream/${definition.name}` } : undefined,
  };
  return { rule, issues };
}

/** The tags that identify the execution of one rule for one delivery. */
export function executionTags(deliveryId: string, rule: string): string[] {
  return [`delivery:${deliveryId}`, `rule:${rule}`];
}

/** A template and the field it fills, as `input.GIT_REF` or `tags[0]`, for the error of a delivery it cannot render. */
interface FieldTemplate {
  field: string;
  template: Template;
}

function fieldTemplate(field: string, text: string, path: (string | number)[], issues: ConditionIssue[]): FieldTemplate | undefined {
  try {
    return { field, template: compileTemplate(text) };
  } catch (error) {
    issues.push(issueOf(path, error));
    return undefined;
  }
}

function rendered({ field, template }: FieldTemplate, delivery: Delivery): string {
  try {
    return template(delivery);
  } catch (error) {
    if (error instanceof MissingFieldError) throw new MissingFieldError(`${field}: ${error.message}`);
    throw error;
  }
}

/** Keeps the first of equal tags, and no empty one. */
function addTag(tags: string[], tag: string): void {
  if (tag !== '' && !tags.includes(tag)) tags.push(tag);
}
