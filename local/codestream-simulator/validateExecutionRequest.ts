/**
 * The swagger's ExecutionRequest (definitions.ExecutionRequest, group 2019-10-17): every property
 * and its JSON type. The simulator answers 400 for a body that breaks it, so the relay's own
 * mistakes surface in tests rather than against a customer's Code Stream.
 */
export const EXECUTION_REQUEST_PROPERTIES = {
  comments: 'string',
  executionId: 'string',
  executionLink: 'string',
  input: 'object',
  projectId: 'string',
  projectName: 'string',
  source: 'string',
  tags: 'array',
} as const;

/** @returns the problems found; empty when `body` is a valid ExecutionRequest. */
export function validateExecutionRequest(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return ['the body must be a JSON object (an ExecutionRequest)'];
  }
  const problems: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    const expected = (EXECUTION_REQUEST_PROPERTIES as Record<string, string>)[name];
    if (expected === undefined) {
      problems.push(`unknown property "${name}"`);
    } else if (jsonType(value) !== expected && value !== null) {
      problems.push(`"${name}" must be of type ${expected}, not ${jsonType(value)}`);
    }
  }
  const { input, tags } = body as { input?: unknown; tags?: unknown };
  if (jsonType(input) === 'object') {
    for (const [key, value] of Object.entries(input as object)) {
      // Code Stream keeps inputs in a string map.
      if (typeof value !== 'string') problems.push(`input "${key}" must be a string, not ${jsonType(value)}`);
    }
  }
  if (Array.isArray(tags)) {
    tags.forEach((tag: unknown, index) => {
      if (typeof tag !== 'string') problems.push(`tags[${index}] must be a string, not ${jsonType(tag)}`);
    });
  }
  return problems;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
