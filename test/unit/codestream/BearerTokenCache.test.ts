import { BearerTokenCache, type Login } from '../../../lambda/codestream/BearerTokenCache';

function setup(results: Array<{ token: string; lifetime: number } | Error>) {
  let now = 1_000_000;
  const calls: boolean[] = [];
  const login: Login = async ({ freshCredentials }) => {
    calls.push(freshCredentials);
    const next = results.shift();
    if (!next) throw new Error('no more logins scripted');
    if (next instanceof Error) throw next;
    return { token: next.token, expiresAt: now + next.lifetime };
  };
  const cache = new BearerTokenCache(login, { renewBeforeMs: 100, now: () => now });
  return { cache, calls, advance: (ms: number) => (now += ms) };
}

it('reuses the token until the renewal lead, then renews', async () => {
  const { cache, calls, advance } = setup([{ token: 'a', lifetime: 1_000 }, { token: 'b', lifetime: 1_000 }]);
  expect(await cache.get()).toBe('a');
  advance(899);
  expect(await cache.get()).toBe('a');
  advance(1);
  expect(await cache.get()).toBe('b');
  expect(calls).toEqual([false, false]);
});

it('renews at half the life of a token shorter than twice the lead', async () => {
  const { cache, advance } = setup([{ token: 'a', lifetime: 120 }, { token: 'b', lifetime: 120 }]);
  await cache.get();
  advance(59);
  expect(await cache.get()).toBe('a');
  advance(1);
  expect(await cache.get()).toBe('b');
});

it('keeps using a still-valid token when an early renewal fails', async () => {
  const { cache, advance } = setup([{ token: 'a', lifetime: 1_000 }, new Error('login down'), { token: 'b', lifetime: 1_000 }]);
  await cache.get();
  advance(950);
  expect(await cache.get()).toBe('a');
  expect(await cache.get()).toBe('b');
});

it('fails when the token has expired and the renewal fails', async () => {
  const { cache, advance } = setup([{ token: 'a', lifetime: 1_000 }, new Error('login down')]);
  await cache.get();
  advance(1_000);
  await expect(cache.get()).rejects.toThrow('login down');
});

it('after invalidate, logs in again with fresh credentials; a stale invalidate changes nothing', async () => {
  const { cache, calls } = setup([{ token: 'a', lifetime: 1_000 }, { token: 'b', lifetime: 1_000 }]);
  await cache.get();
  cache.invalidate('a');
  expect(await cache.get()).toBe('b');
  cache.invalidate('a');
  expect(await cache.get()).toBe('b');
  expect(calls).toEqual([false, true]);
});

it('shares one login among concurrent callers, and one failure too', async () => {
  const { cache, calls } = setup([new Error('refused'), { token: 'b', lifetime: 1_000 }]);
  const first = await Promise.allSettled([cache.get(), cache.get(), cache.get()]);
  expect(first.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect(await Promise.all([cache.get(), cache.get()])).toEqual(['b', 'b']);
  expect(calls).toHaveLength(2);
});
