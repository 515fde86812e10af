/** One API Gateway token bucket. */
export interface ThrottleLimits {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Requests accepted at once above the rate: the bucket's size, a whole number. */
  burstLimit: number;
}

export interface SourceThrottlingProps {
  /** The configured sources' names. */
  sources: readonly string[];
  /** The stage's default limit of each method (throttlingRateLimit, throttlingBurstLimit). */
  stage: ThrottleLimits;
  /** Every source's own limit. @default the stage's */
  perSource?: ThrottleLimits;
  /** Limits of named sources, in place of `perSource`. @default none */
  overrides?: Readonly<Record<string, Partial<ThrottleLimits>>>;
  /** The limit of the names that are no configured source. */
  unknownSources: ThrottleLimits;
}

/** Each source's limit, and the unknown names'. */
export interface SourceThrottling {
  sources: Readonly<Record<string, ThrottleLimits>>;
  unknownSources: ThrottleLimits;
}

/**
 * A bucket of its own for each source, so that a flood on one source, or on names that are no
 * source, uses up only its own (API Gateway throttles each method on its own). Each source keeps
 * the whole per-source limit rather than a share of one: a share would shrink as sources are added
 * until a provider's ordinary burst (a registry pushing many tags at once) got 429, and GitHub,
 * GitLab and Docker Hub do not redeliver.
 * @throws Error naming the prop: a limit that is not a positive number (burst: a whole one), an
 * override of no configured source.
 *
 * @example
 * throttlingPerSource({ sources: ['github'], stage: { rateLimit: 50, burstLimit: 100 }, unknownSources: { rateLimit: 1, burstLimit: 5 } });
 */
export function throttlingPerSource(props: SourceThrottlingProps): SourceThrottling {
  checkLimits('throttlingRateLimit and throttlingBurstLimit', props.stage);
  if (props.perSource) checkLimits('sourceThrottling', props.perSource);
  const perSource = props.perSource ?? props.stage;
  checkLimits('unknownSourceThrottling', props.unknownSources);
  const overrides = props.overrides ?? {};
  const strangers = Object.keys(overrides).filter((name) => !props.sources.includes(name));
  if (strangers.length > 0) {
    throw new Error(`sourceThrottlingOverrides names no configured source: ${strangers.join(', ')} (the sources are ${props.sources.join(', ') || 'none'})`);
  }
  for (const [name, limits] of Object.entries(overrides)) checkLimits(`sourceThrottlingOverrides.${name}`, limits);
  const sources = Object.fromEntries(props.sources.map((name) => [name, { ...perSource, ...overrides[name] }]));
  return { sources, unknownSources: props.unknownSources };
}

/** Positive numbers, the burst a whole one: what API Gateway takes. */
function checkLimits(name: string, limits: Partial<ThrottleLimits>): void {
  const { rateLimit, burstLimit } = limits;
  if (rateLimit !== undefined && !(Number.isFinite(rateLimit) && rateLimit > 0)) {
    throw new Error(`${name}: the rate limit must be a positive number of requests per second; got ${rateLimit}`);
  }
  if (burstLimit !== undefined && !(Number.isInteger(burstLimit) && burstLimit > 0)) {
    throw new Error(`${name}: the burst limit must be a positive whole number of requests; got ${burstLimit}`);
  }
}
