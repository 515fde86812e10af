import { createHash } from 'node:crypto';

/**
 * The text cut to at most `max` characters (code points, as the servers count them), its last one
 * an ellipsis when cut. For what people read: descriptions and names.
 */
export function fitText(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}

/**
 * The text as an identifier of at most `max` characters: unchanged when it fits, else its start
 * and a hash of the whole, so that two long contexts that share a start still get two keys, and
 * the same context always the same key (a later status must replace the earlier one).
 */
export function stableKey(text: string, max: number): string {
  const characters = [...text];
  if (characters.length <= max) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${characters.slice(0, max - hash.length - 1).join('')}-${hash}`;
}
