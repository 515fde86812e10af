import { seededRandom } from '../seededRandom';

/**
 * What the simulator does to a request instead of, or before, answering it normally.
 * - `status`: answer with this status (and Retry-After, if given) without executing anything;
 * - `slow`: wait `delayMs`, then answer normally; like a real server that answers late, the
 *   execution is still created even if the client gave up;
 * - `reset`: reset the connection without answering;
 * - `pass`: answer normally (a step of a script that lets one request through).
 */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'reset' }
  | { kind: 'pass' };

export type FaultTarget = 'execute' | 'login';

export interface FaultPlanSpec {
  /** Faults applied in order, one per targeted request, before any random fault. */
  script?: Fault[];
  /** Chance, from 0 to 1, that a targeted request beyond the script meets a random fault. @default 0 */
  probability?: number;
  /** The faults to draw from at random. @default 500, 502, 503, 504, 429 with Retry-After: 1, reset */
  pick?: Fault[];
  /** Seed of the random draws, for repeatable runs. @default 1 */
  seed?: number;
  /** Which requests faults apply to. @default ['execute'] */
  on?: FaultTarget[];
}

export const DEFAULT_RANDOM_FAULTS: Fault[] = [
  { kind: 'status', status: 500 },
  { kind: 'status', status: 502 },
  { kind: 'status', status: 503 },
  { kind: 'status', status: 504 },
  { kind: 'status', status: 429, retryAfter: '1' },
  { kind: 'reset' },
];

const PASS: Fault = { kind: 'pass' };

/** Decides, request by request, which fault to inject. */
export class FaultPlan {
  readonly #script: Fault[];
  readonly #probability: number;
  readonly #pick: Fault[];
  readonly #on: Set<FaultTarget>;
  #random: () => number;

  constructor(spec: FaultPlanSpec = {}) {
    const problems = faultPlanProblems(spec);
    if (problems.length > 0) throw new Error(`invalid fault plan: ${problems.join('; ')}`);
    this.#script = [...(spec.script ?? [])];
    this.#probability = spec.probability ?? 0;
    this.#pick = spec.pick ?? DEFAULT_RANDOM_FAULTS;
    this.#on = new Set(spec.on ?? ['execute']);
    this.#random = seededRandom(spec.seed ?? 1);
  }

  next(target: FaultTarget): Fault {
    if (!this.#on.has(target)) return PASS;
    const scripted = this.#script.shift();
    if (scripted) return scripted;
    if (this.#probability > 0 && this.#random() < this.#probability) {
      return this.#pick[Math.floor(this.#random() * this.#pick.length)] ?? PASS;
    }
    return PASS;
  }

  /** Scripted faults not yet used. */
  get remaining(): number {
    return this.#script.length;
  }
}

/** Checks a plan that may come from JSON (the control endpoint, a file). */
export function faultPlanProblems(spec: FaultPlanSpec): string[] {
  const problems: string[] = [];
  const { probability, script = [], pick = [], on = [] } = spec;
  if (probability !== undefined && !(typeof probability === 'number' && probability >= 0 && probability <= 1)) {
    problems.push('probability must be a number from 0 to 1');
  }
  if (!Array.isArray(script) || !Array.isArray(pick) || !Array.isArray(on)) {
    return [...problems, 'script, pick and on must be arrays'];
  }
  [...script, ...pick].forEach((fault) => {
    const problem = faultProblem(fault);
    if (problem) problems.push(problem);
  });
  if (spec.pick !== undefined && pick.length === 0) problems.push('pick must name at least one fault');
  for (const target of on) {
    if (target !== 'execute' && target !== 'login') problems.push(`on: unknown target "${String(target)}"`);
  }
  return problems;
}

function faultProblem(fault: Fault): string | undefined {
  switch (fault?.kind) {
    case 'status':
      return Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599
        ? undefined
        : `status fault needs an HTTP status from 200 to 599, got ${JSON.stringify(fault.status)}`;
    case 'slow':
      return Number.isFinite(fault.delayMs) && fault.delayMs >= 0 ? undefined : 'slow fault needs delayMs >= 0';
    case 'reset':
    case 'pass':
      return undefined;
    default:
      return `unknown fault ${JSON.stringify(fault)}; kinds are status, slow, reset, pass`;
  }
}
