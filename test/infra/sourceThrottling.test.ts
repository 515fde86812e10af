import { type SourceThrottlingProps, throttlingPerSource } from '../../infra/sourceThrottling';

const PER_SOURCE = { rateLimit: 50, burstLimit: 100 };
const UNKNOWN = { rateLimit: 1, burstLimit: 5 };
const limits = (props: Partial<SourceThrottlingProps> = {}) =>
  throttlingPerSource({ sources: ['github', 'gitlab', 'harbor'], stage: PER_SOURCE, unknownSources: UNKNOWN, ...props });

it('gives every source the stage’s whole limit by default, however many there are, and unknown names their own', () => {
  expect(limits()).toEqual({ sources: { github: PER_SOURCE, gitlab: PER_SOURCE, harbor: PER_SOURCE }, unknownSources: UNKNOWN });
  const many = Array.from({ length: 13 }, (_unused, index) => `source-${index}`);
  expect(Object.values(limits({ sources: many }).sources)).toEqual(many.map(() => PER_SOURCE));
});

it('a per-source limit is every source’s', () => {
  expect(Object.values(limits({ perSource: { rateLimit: 5, burstLimit: 10 } }).sources)).toEqual([1, 2, 3].map(() => ({ rateLimit: 5, burstLimit: 10 })));
});

it('an override replaces the part it gives, for its source only', () => {
  expect(limits({ overrides: { harbor: { burstLimit: 300 } } }).sources).toEqual({
    github: PER_SOURCE,
    gitlab: PER_SOURCE,
    harbor: { rateLimit: 50, burstLimit: 300 },
  });
});

it('no configured source: only the unknown names’ limit', () => {
  expect(limits({ sources: [] })).toEqual({ sources: {}, unknownSources: UNKNOWN });
});

describe('refuses', () => {
  it('limits that are not positive numbers, naming the prop', () => {
    expect(() => limits({ stage: { rateLimit: 0, burstLimit: 100 } })).toThrow('throttlingRateLimit and throttlingBurstLimit: the rate limit must be a positive number of requests per second; got 0');
    expect(() => limits({ perSource: { rateLimit: Number.NaN, burstLimit: 10 } })).toThrow('sourceThrottling: the rate limit must be a positive number of requests per second; got NaN');
    expect(() => limits({ unknownSources: { rateLimit: 1, burstLimit: -5 } })).toThrow('unknownSourceThrottling: the burst limit must be a positive whole number of requests; got -5');
  });

  it('a burst that is not a whole number', () => {
    expect(() => limits({ overrides: { gitlab: { burstLimit: 2.5 } } })).toThrow('sourceThrottlingOverrides.gitlab: the burst limit must be a positive whole number of requests; got 2.5');
  });

  it('an override of a name that is no configured source', () => {
    expect(() => limits({ overrides: { github: { rateLimit: 5 }, gitea: { rateLimit: 5 } } })).toThrow(
      'sourceThrottlingOverrides names no configured source: gitea (the sources are github, gitlab, harbor)',
    );
  });
});
