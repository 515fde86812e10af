import { classifyExecuteAnswer, statusClass } from '../../../lambda/codestream/classifyResponse';

const CONTEXT = { baseUrl: 'https://vra.example.com', pipeline: 'pipeline demo/build', now: 0, secrets: ['tok-123'] };

it.each([
  [200, 'success'],
  [201, 'success'],
  [202, 'success'],
  [301, 'rejected'],
  [400, 'rejected'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'notFound'],
  [408, 'retryable'],
  [409, 'rejected'],
  [422, 'rejected'],
  [429, 'retryable'],
  [500, 'retryable'],
  [501, 'rejected'],
  [502, 'retryable'],
  [503, 'retryable'],
  [504, 'retryable'],
  [505, 'rejected'],
  [507, 'retryable'],
])('status %i is %s', (status, expected) => {
  expect(statusClass(status)).toBe(expected);
});

it('builds the absolute execution link from the relative one', () => {
  const outcome = classifyExecuteAnswer(
    {
      status: 202,
      headers: {},
      body: '{"executionId":"b80254a7","executionIndex":3,"executionLink":"/codestream/api/executions/b80254a7"}',
    },
    { ...CONTEXT, baseUrl: 'https://vra.example.com/' },
  );
  expect(outcome).toMatchObject({
    kind: 'created',
    executionId: 'b80254a7',
    executionIndex: 3,
    executionLink: 'https://vra.example.com/codestream/api/executions/b80254a7',
    reason: 'Code Stream started execution b80254a7 of pipeline demo/build',
  });
});

it('keeps a 2xx without an executionId as created: the execution may exist, so it must not be retried', () => {
  const outcome = classifyExecuteAnswer({ status: 202, headers: {}, body: '' }, CONTEXT);
  expect(outcome).toMatchObject({ kind: 'created', executionId: undefined, executionLink: undefined });
  expect(outcome.reason).toBe('Code Stream accepted the execution of pipeline demo/build with 202 but named no executionId');
});

it('redacts the bearer token if the answer echoes it', () => {
  const outcome = classifyExecuteAnswer(
    { status: 401, headers: {}, body: '{"message":"token tok-123 expired"}' },
    CONTEXT,
  );
  expect(outcome.snippet).toBe('{"message":"token [redacted] expired"}');
});

it('names the target of a redirect', () => {
  const outcome = classifyExecuteAnswer(
    { status: 302, headers: { location: 'https://vra.example.com/login' }, body: '' },
    CONTEXT,
  );
  expect(outcome).toMatchObject({ kind: 'rejected', status: 302 });
  expect(outcome.reason).toContain('a redirect to https://vra.example.com/login');
});
