import { FaultPlan, faultPlanProblems } from '../../../local/codestream-simulator/FaultPlan';

it('plays the script in order, then passes', () => {
  const plan = new FaultPlan({ script: [{ kind: 'status', status: 503 }, { kind: 'pass' }, { kind: 'reset' }] });
  expect([1, 2, 3, 4].map(() => plan.next('execute').kind)).toEqual(['status', 'pass', 'reset', 'pass']);
});

it('leaves logins alone unless they are targeted', () => {
  const plan = new FaultPlan({ script: [{ kind: 'reset' }] });
  expect(plan.next('login').kind).toBe('pass');
  expect(plan.remaining).toBe(1);
  expect(new FaultPlan({ script: [{ kind: 'reset' }], on: ['login'] }).next('login').kind).toBe('reset');
});

it('draws random faults at about the given rate, repeatably for a seed', () => {
  const draw = (seed: number) => {
    const plan = new FaultPlan({ probability: 0.3, seed });
    return Array.from({ length: 10_000 }, () => plan.next('execute'));
  };
  const faults = draw(7);
  const rate = faults.filter((fault) => fault.kind !== 'pass').length / faults.length;
  expect(rate).toBeGreaterThan(0.27);
  expect(rate).toBeLessThan(0.33);
  expect(draw(7)).toEqual(faults);
  expect(draw(8)).not.toEqual(faults);
  const drawn = new Set(faults.map((fault) => (fault.kind === 'status' ? fault.status : fault.kind)));
  expect(drawn).toEqual(new Set(['pass', 500, 502, 503, 504, 429, 'reset']));
});

it('names every problem of an invalid plan', () => {
  expect(
    faultPlanProblems({
      probability: 2,
      script: [{ kind: 'status', status: 99 }, { kind: 'slow', delayMs: -1 }, { kind: 'explode' } as never],
      pick: [],
      on: ['everything' as never],
    }),
  ).toEqual([
    'probability must be a number from 0 to 1',
    'status fault needs an HTTP status from 200 to 599, got 99',
    'slow fault needs delayMs >= 0',
    'unknown fault {"kind":"explode"}; kinds are status, slow, reset, pass',
    'pick must name at least one fault',
    'on: unknown target "everything"',
  ]);
  expect(() => new FaultPlan({ probability: -1 })).toThrow('invalid fault plan: probability must be a number from 0 to 1');
});
