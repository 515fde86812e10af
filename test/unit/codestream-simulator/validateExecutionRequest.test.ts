import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EXECUTION_REQUEST_PROPERTIES,
  validateExecutionRequest,
} from '../../../local/codestream-simulator/validateExecutionRequest';

// The official swagger's definition (Code Stream APIs, group 2019-10-17), as shipped in shared/codestream.
const extract = JSON.parse(
  readFileSync(path.join(__dirname, '../../fixtures/codestream/codestream-api-extract.json'), 'utf8'),
) as { definitions: { ExecutionRequest: { properties: Record<string, { type: string }> } } };
const swagger = extract.definitions.ExecutionRequest.properties;

const SAMPLE: Record<string, unknown> = { string: 'x', object: { KEY: 'value' }, array: ['a'] };
const WRONG: Record<string, unknown> = { string: 5, object: 'x', array: { a: 1 } };

it('knows exactly the properties the swagger declares, with their types', () => {
  expect(Object.fromEntries(Object.entries(swagger).map(([name, schema]) => [name, schema.type]))).toEqual(
    EXECUTION_REQUEST_PROPERTIES,
  );
});

it.each(Object.entries(swagger))('accepts %s of its swagger type and rejects another type', (name, schema) => {
  expect(validateExecutionRequest({ [name]: SAMPLE[schema.type] })).toEqual([]);
  expect(validateExecutionRequest({ [name]: WRONG[schema.type] })).toEqual([
    expect.stringMatching(new RegExp(`^"${name}" must be of type ${schema.type}, not `)),
  ]);
});

it('rejects what is not an ExecutionRequest', () => {
  expect(validateExecutionRequest([])).toEqual(['the body must be a JSON object (an ExecutionRequest)']);
  expect(validateExecutionRequest({ pipeline: 'x', input: { A: 1, B: 'ok' }, tags: ['ok', 2] })).toEqual([
    'unknown property "pipeline"',
    'input "A" must be a string, not number',
    'tags[1] must be a string, not number',
  ]);
});

it('accepts an empty request and nulls, as Jackson does', () => {
  expect(validateExecutionRequest({})).toEqual([]);
  expect(validateExecutionRequest({ comments: null })).toEqual([]);
});
