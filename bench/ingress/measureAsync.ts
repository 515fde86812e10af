import { type Plan, median } from '../rules/measure';

/**
 * bench/rules' `medianNanoseconds` for operations that may return a promise: the median time of
 * one call of each, in nanoseconds, each call awaited before the next. The samples are interleaved
 * (a, b, c, a, b, c, …) so that a slow spell of the machine falls on all of them alike. A call that
 * returns no promise is not awaited, so a synchronous baseline is not charged for a microtask it
 * would never take; the `instanceof` check costs every operation the same few nanoseconds.
 */
export async function medianNanosecondsAsync<Name extends string>(operations: Record<Name, () => unknown>, plan: Plan): Promise<Record<Name, number>> {
  const timed: { name: Name; operation: () => unknown; iterations: number; samples: number[] }[] = [];
  for (const [name, operation] of Object.entries(operations) as [Name, () => unknown][]) {
    await warmUp(operation, plan.warmupMs);
    timed.push({ name, operation, iterations: await iterationsFor(operation, plan.minSampleMs), samples: [] });
  }
  for (let sample = 0; sample < plan.samples; sample += 1) {
    for (const entry of timed) entry.samples.push((await elapsed(entry.operation, entry.iterations)) / entry.iterations);
  }
  return Object.fromEntries(timed.map(({ name, samples }) => [name, median(samples)])) as Record<Name, number>;
}

/** Runs the operation until the JIT has had `ms` to optimise it. */
async function warmUp(operation: () => unknown, ms: number): Promise<void> {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  while (process.hrtime.bigint() < end) await elapsed(operation, 1);
}

/** How many calls make a batch of at least `ms`: long enough that the clock's resolution and overhead do not count. */
async function iterationsFor(operation: () => unknown, ms: number): Promise<number> {
  let iterations = 1;
  while ((await elapsed(operation, iterations)) < ms * 1e6) iterations *= 2;
  return iterations;
}

async function elapsed(operation: () => unknown, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let call = 0; call < iterations; call += 1) {
    const result = operation();
    if (result instanceof Promise) await result;
  }
  return Number(process.hrtime.bigint() - start);
}
