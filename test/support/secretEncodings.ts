/*
 * The ways a secret may be written in a delivery: what a test plants, and what it searches the
 * relay's records for. Each is the text as it stands in the delivery's bytes.
 */

/** Between the quotes of a JSON string, as JSON.stringify writes it. */
export function jsonEscaped(secret: string): string {
  return JSON.stringify(secret).slice(1, -1);
}

/**
 * Between the quotes of a JSON string, with the characters that `escaped` picks (all by default)
 * written `\uXXXX`, which a JSON decoder reads for any character; `upper` writes the hex in upper case.
 */
export function unicodeEscaped(secret: string, escaped: (index: number) => boolean = () => true, upper = false): string {
  // By UTF-16 unit, as JSON escapes: a character beyond the BMP is two escapes.
  return secret
    .split('')
    .map((unit, index) => {
      if (!escaped(index)) return jsonEscaped(unit);
      const hex = unit.charCodeAt(0).toString(16).padStart(4, '0');
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    })
    .join('');
}

/** As an HTML-safe JSON encoder writes it: `<`, `>`, `&` and `'` as `\u003c`, `\u003e`, `\u0026`, `\u0027`. */
export function htmlSafeEscaped(secret: string): string {
  return unicodeEscaped(secret, (index) => "<>&'".includes(secret.charAt(index)));
}

/** In a URL, as encodeURIComponent writes it. */
export function urlEncoded(secret: string): string {
  return encodeURIComponent(secret);
}

/** In a form body, as URLSearchParams writes it: `+` for a space. */
export function formEncoded(secret: string): string {
  return new URLSearchParams({ s: secret }).toString().slice('s='.length);
}

/** Every byte of its UTF-8 percent-encoded, as a URL decoder accepts; `lower` writes the hex in lower case. */
export function percentEncodedEveryByte(secret: string, lower = false): string {
  const encoded = [...Buffer.from(secret)].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  return lower ? encoded.toLowerCase() : encoded;
}

/** Every form above, and base64: none may be found where a credential must not be. */
export function secretForms(secret: string): string[] {
  return [
    ...new Set([
      secret,
      jsonEscaped(secret),
      unicodeEscaped(secret),
      unicodeEscaped(secret, () => true, true),
      htmlSafeEscaped(secret),
      urlEncoded(secret),
      formEncoded(secret),
      percentEncodedEveryByte(secret),
      percentEncodedEveryByte(secret, true),
      Buffer.from(secret).toString('base64'),
    ]),
  ];
}
