import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lambda/config/loadConfig';

const ROOT = path.join(__dirname, '../..');

/** The example config's sources (relay.config.yaml): one per provider of the corpus. */
export const { sources } = loadConfig(path.join(ROOT, 'relay.config.yaml')).config;

const secretFile = JSON.parse(readFileSync(path.join(ROOT, 'relay.secrets.local.json'), 'utf8')) as Record<string, unknown>;

/** Secret name → value, as the SecretStore serves them (the Code Stream credential as JSON). */
export const secretValues: Record<string, string> = Object.fromEntries(
  Object.entries(secretFile).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]),
);

/** Every secret the relay holds, the Code Stream credential's token included: none may reach an answer. */
export const SECRET_TEXTS = [...new Set(Object.values(secretFile).flatMap(leafStrings))];

/** Every string in a JSON value, at any depth. */
export function leafStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leafStrings);
  return [];
}
