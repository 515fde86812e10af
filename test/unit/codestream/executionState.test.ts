import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXECUTION_STATUSES, type ExecutionState, executionState, isExecutionStatus } from '../../../lambda/codestream/executionState';

// The official swagger's definition (Code Stream APIs, group 2019-10-17), as shipped in shared/codestream.
const extract = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/codestream/codestream-api-extract.json'), 'utf8')) as {
  definitions: { Execution: { properties: { status: { enum: string[] } } } };
};
const SWAGGER_STATUSES = extract.definitions.Execution.properties.status.enum;

const GOES_ON: ExecutionState = { ended: false };

const EXPECTED: Record<string, ExecutionState> = {
  NOT_STARTED: GOES_ON,
  STARTED: GOES_ON,
  RUNNING: GOES_ON,
  CANCELING: GOES_ON,
  WAITING: GOES_ON,
  RESUMING: GOES_ON,
  PAUSING: GOES_ON,
  PAUSED: GOES_ON,
  CANCELED: { ended: true, result: 'canceled' },
  COMPLETED: { ended: true, result: 'success' },
  FAILED: { ended: true, result: 'failure' },
  SKIPPED: { ended: true, result: 'canceled' },
  QUEUED: GOES_ON,
  FAILED_CONTINUE: GOES_ON,
  ROLLING_BACK: GOES_ON,
  ROLLBACK_FAILED: { ended: true, result: 'failure' },
  PREPARING_WORKSPACE: GOES_ON,
  ROLLBACK_COMPLETED: { ended: true, result: 'failure' },
};

it("knows exactly the swagger's execution statuses, in its order", () => {
  expect(EXECUTION_STATUSES).toEqual(SWAGGER_STATUSES);
  expect(Object.keys(EXPECTED)).toEqual(SWAGGER_STATUSES);
});

it.each(Object.entries(EXPECTED))('%s → %o', (status, state) => {
  expect(isExecutionStatus(status)).toBe(true);
  expect(executionState(status)).toEqual(state);
});

it('takes a status the swagger does not list, or another spelling, as not ended', () => {
  for (const status of ['SUPERSEDED', 'completed', '', 'toString', '__proto__']) {
    expect(isExecutionStatus(status)).toBe(false);
    expect(executionState(status)).toEqual({ ended: false });
  }
});
