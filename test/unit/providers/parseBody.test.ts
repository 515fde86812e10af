import { MalformedBodyError } from '../../../lambda/providers/errors';
import { parseBody } from '../../../lambda/providers/parseBody';

const request = (body: string, type = 'application/json') => ({ body: Buffer.from(body), headers: { 'content-type': type }, query: {} });

it('reads JSON whatever the declared type, and skips a byte-order mark', () => {
  expect(parseBody(request('{"a":1}'))).toEqual({ a: 1 });
  expect(parseBody(request('{"a":1}', 'text/plain'))).toEqual({ a: 1 });
  expect(parseBody(request('\ufeff{"a":1}'))).toEqual({ a: 1 });
});

it('reads the payload field of a form-encoded body', () => {
  expect(parseBody(request(`payload=${encodeURIComponent('{"a":"b c"}')}`, 'application/x-www-form-urlencoded; charset=utf-8'))).toEqual({ a: 'b c' });
});

it('refuses what is not a JSON object, quoting nothing of the body', () => {
  const secretish = '{"secret": "hunter2", oops}';
  expect(() => parseBody(request(secretish))).toThrow(MalformedBodyError);
  try {
    parseBody(request(secretish));
  } catch (error) {
    expect((error as Error).message).toMatch(/^the body is not valid JSON( \(at byte \d+\))?$/);
    expect((error as Error).message).not.toContain('hunter2');
  }
  expect(() => parseBody(request('"text"'))).toThrow('the body must be a JSON object');
  expect(() => parseBody(request('null'))).toThrow('the body must be a JSON object');
  expect(() => parseBody(request(''))).toThrow(MalformedBodyError);
});
