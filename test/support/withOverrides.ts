/**
 * Fakes with a test's overrides laid over them. An override the test left optional may be
 * undefined, and then keeps the fake: its type says so.
 */
export type WithOverrides<Fakes, Overrides> = Omit<Fakes, keyof Overrides> & {
  [K in keyof Overrides & keyof Fakes]-?: object extends Pick<Overrides, K> ? Exclude<Overrides[K], undefined> | Fakes[K] : Overrides[K];
};

export function withOverrides<Fakes extends object, Overrides extends object>(fakes: Fakes, overrides: Overrides | undefined): WithOverrides<Fakes, Overrides> {
  const given = Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined);
  return { ...fakes, ...Object.fromEntries(given) } as WithOverrides<Fakes, Overrides>;
}
