import type { ASTNode } from '@marcbachmann/cel-js';
import { type EventStep, resolveEventPath } from './eventPaths';

/** A field an expression reads from `event` that the canonical event cannot have: where it is written, and why. */
export interface EventPathMistake {
  /** Where the field's name (or index) starts in the expression. */
  offset: number;
  message: string;
}

/**
 * The first path from `event` in the expression (`event.git.branch`, `event.?git.?tag`,
 * `event.git.changedFiles.added[0]`) that CanonicalEvent's fields do not allow, for a config
 * error with "did you mean …?" at the misspelt field. cel-js's type checker, given the event's
 * type, rejects a misspelt `.field` too, but lets `.?field` through as "maybe absent", and does
 * not say which field was meant. Only steps written as names or literal indexes are followed.
 */
export function eventPathMistake(node: ASTNode): EventPathMistake | undefined {
  const steps = eventSteps(node);
  if (steps) {
    const resolved = resolveEventPath(steps.map(({ step }) => step));
    return 'message' in resolved ? { offset: steps[resolved.step]?.offset ?? node.start, message: resolved.message } : undefined;
  }
  // A macro that names its variable `event` (`list.exists(event, …)`) hides the canonical event in its body.
  const children = node.op === 'rcall' && boundVariable(node.args[2]) === 'event' ? [node.args[1]] : childrenOf(node.args);
  for (const child of children) {
    const mistake = eventPathMistake(child);
    if (mistake) return mistake;
  }
  return undefined;
}

interface LocatedStep {
  step: EventStep;
  offset: number;
}

/** The steps of the node when it is a path from `event` with literal steps only, else undefined. */
function eventSteps(node: ASTNode): LocatedStep[] | undefined {
  const steps: LocatedStep[] = [];
  let current = node;
  while (current.op !== 'id') {
    if (current.op === '.' || current.op === '.?') {
      const [receiver, name] = current.args;
      steps.push({ step: name, offset: current.end - name.length });
      current = receiver;
    } else if (current.op === '[]' || current.op === '[?]') {
      const [receiver, index] = current.args;
      if (index.op !== 'value' || !(typeof index.args === 'string' || typeof index.args === 'bigint')) return undefined;
      steps.push({ step: typeof index.args === 'string' ? index.args : Number(index.args), offset: index.start });
      current = receiver;
    } else {
      return undefined;
    }
  }
  return current.args === 'event' ? steps.reverse() : undefined;
}

/** The variable a comprehension macro binds (`exists(f, …)`, `map(x, …)`), given a method call's arguments. */
function boundVariable([first, second]: readonly ASTNode[]): string | undefined {
  return first?.op === 'id' && second !== undefined ? first.args : undefined;
}

/** The nodes among a node's operands, however its operator arranges them. */
function childrenOf(operands: unknown): ASTNode[] {
  if (Array.isArray(operands)) return operands.flatMap(childrenOf);
  return operands !== null && typeof operands === 'object' && 'op' in operands && 'args' in operands ? [operands as ASTNode] : [];
}
