/** How operations are timed: after a warm-up, `samples` batches of at least `minSampleMs` each. */
export interface Plan {
  samples: number;
  minSampleMs: number;
  warmupMs: number;
}

/**
 * The median time of one call of each operation, in nanoseconds. The operations' samples are
 * interleaved (a, b, c, a, b, c, …) so that a slow spell of the machine (another process, a
 * frequency change) falls on all of them alike and the ratios between them stay fair. Results are
 * not kept: V8 does not drop calls that allocate and can throw, such as JSON.parse or a match.
 */
export function medianNanoseconds<Name extends string>(operations: Record<Name, () => unknown>, plan: Plan): Record<Name, number> {
  const timed = (Object.entries(operations) as [Name, () => unknown][]).map(([name, operation]) => {
    warmUp(operation, plan.warmupMs);
    return { name, operation, iterations: iterationsFor(operation, plan.minSampleMs), samples: [] as number[] };
  });
  for (let sample = 0; sample < plan.samples; sample += 1) {
    for (const entry of timed) entry.samples.push(elapsed(entry.operation, entry.iterations) / entry.iterations);
  }
  return Object.fromEntries(timed.map(({ name, samples }) => [name, median(samples)])) as Record<Name, number>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** Runs the operation until the JIT has had `ms` to optimise it. */
function warmUp(operation: () => unknown, ms: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  while (process.hrtime.bigint() < end) operation();
}

/** How many calls make a batch of at least `ms`: long enough that the clock's resolution and overhead do not count. */
function iterationsFor(operation: () => unknown, ms: number): number {
  let iterations = 1;
  while (elapsed(operation, iterations) < ms * 1e6) iterations *= 2;
  return iterations;
}

function elapsed(operation: () => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let call = 0; call < iterations; call += 1) operation();
  return Number(process.hrtime.bigint() - start);
}
