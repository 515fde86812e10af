import type { ExecutionRequest, PipelineRef } from '../codestream/types';
import { describeEvent } from '../events/describeEvent';
import { nativeTriggerInput } from '../events/nativeTriggerInput';
import { type Condition, type ConditionIssue, compileConditions } from './conditions';
import type { Delivery } from './Delivery';
import type { RuleDefinition } from '../config/RelayConfig';
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
  const input = Object.entries(definition.input ?? {}).map(([name, text]) => [name, templateOrIssue(text, ['input', name], issues)] as const);
  const comments = definition.comments === undefined ? undefined : templateOrIssue(definition.comments, ['comments'], issues);
  const source = definition.source === undefined ? undefined : templateOrIssue(definition.source, ['source'], issues);
  const tags = (definition.tags ?? []).map((text, position) => templateOrIssue(text, ['tags', position], issues));
  if (issues.length > 0) return { issues };
  const nativeInput = definition.nativeInput !== false;
  const rendered = (field: string, template: Template | undefined, delivery: Delivery): string | undefined => {
    try {
      return template?.(delivery);
    } catch (error) {
      if (error instanceof MissingFieldError) throw new MissingFieldError(`${field}: ${error.message}`);
      throw error;
    }
  };
  const rule: CompiledRule = {
    index,
    name: definition.name,
    conditions,
    pipeline: definition.pipeline,
    buildRequest(delivery) {
      const { event } = delivery;
      const values: Record<string, string> = nativeInput ? nativeTriggerInput(event) : {};
      for (const [name, template] of input) values[name] = rendered(`input.${name}`, template, delivery) ?? '';
      // The delivery id and rule in the tags let an operator, and the relay after an unanswered
      // call, find the execution from a delivery, and back.
      const tagValues = tags.map((template, position) => rendered(`tags[${position}]`, template, delivery) ?? '');
      return {
        comments: rendered('comments', comments, delivery) ?? describeEvent(event),
        input: values,
        source: rendered('source', source, delivery) ?? `webhook-relay:${event.source}`,
        tags: [...new Set([...tagValues.filter((tag) => tag !== ''), ...executionTags(event.deliveryId, definition.name)])],
      };
    },
  };
  return { rule, issues };
}

/** The tags that identify the execution of one rule for one delivery. */
export function executionTags(deliveryId: string, rule: string): string[] {
  return [`delivery:${deliveryId}`, `rule:${rule}`];
}

function templateOrIssue(text: string, path: (string | number)[], issues: ConditionIssue[]): Template | undefined {
  try {
    return compileTemplate(text);
  } catch (error) {
    issues.push({ path, message: (error as Error).message });
    return undefined;
  }
}
