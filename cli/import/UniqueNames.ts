/** Names of sources and rules: `^[A-Za-z0-9][A-Za-z0-9._-]*$` (lambda/config/configSchema.ts). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The text as a valid name: other characters become `-`, and it starts with a letter or digit; '' when nothing is left. */
export function asName(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
}

/** Hands out names that are valid and unique among those handed out. */
export class UniqueNames {
  readonly #taken = new Set<string>();

  /** The first candidate that is valid and free, else the first valid one numbered (`build-2`); `fallback` when none is valid. */
  claim(candidates: readonly string[], fallback: string): string {
    const valid = candidates.map(asName).filter((name) => NAME.test(name));
    const names = valid.length > 0 ? valid : [fallback];
    const name = names.find((candidate) => !this.#taken.has(candidate)) ?? this.#numbered(names[0] ?? fallback);
    this.#taken.add(name);
    return name;
  }

  #numbered(base: string): string {
    let number = 2;
    while (this.#taken.has(`${base}-${number}`)) number += 1;
    return `${base}-${number}`;
  }
}
