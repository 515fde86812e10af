import Ajv from 'ajv';
import { SchemaRefusals, pointerStep } from '../../../lambda/config/schemaRefusals';

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  propertyNames: { pattern: '^[a-z/~]+$' },
  properties: {
    name: { type: 'string' },
    input: { type: 'object', additionalProperties: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    'a/b~c': { type: 'string' },
  },
});

function refusals(value: unknown): SchemaRefusals {
  validate(value);
  return new SchemaRefusals(validate.errors ?? []);
}

it('gives a value the schema accepts as it is', () => {
  const value = { name: 'x', input: { A: 'a' } };
  expect(refusals(value).wellFormed(value, '')).toBe(value);
});

it('leaves out what the schema refused: a value of the wrong type, an unknown key, a key of a bad name', () => {
  const value = { name: 'x', input: { A: 'a', B: 3 }, extra: true, BAD: 'y', tags: ['t'] };
  expect(refusals(value).wellFormed(value, '')).toEqual({ name: 'x', input: { A: 'a' }, tags: ['t'] });
});

it('leaves out a list with a refused item as a whole', () => {
  const value = { name: 'x', tags: ['t', 7] };
  expect(refusals(value).wellFormed(value, '')).toEqual({ name: 'x' });
});

it('keeps what a missing key leaves, and gives undefined for a value refused whole', () => {
  const value = { input: { A: 'a' } };
  expect(refusals(value).wellFormed(value, '')).toBe(value);
  expect(refusals('text').wellFormed('text', '')).toBeUndefined();
});

it('follows a part by its JSON pointer, keys escaped as Ajv escapes them', () => {
  const value = { name: 'x', 'a/b~c': 5, input: { A: 1 } };
  const refused = refusals(value);
  expect(refused.wellFormed(value.input, '/input')).toEqual({});
  expect(refused.wellFormed(value['a/b~c'], `/${pointerStep('a/b~c')}`)).toBeUndefined();
  expect(pointerStep('a/b~c')).toBe('a~1b~0c');
});
