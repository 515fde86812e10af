import { readFileSync } from 'node:fs';
import type { RelayConfig } from './RelayConfig';

/**
 * The config the stack bundled beside the function: the JSON that synth wrote after checking the
 * file in full (loadConfig: YAML, the JSON Schema, rules, CA certificates). The functions trust
 * that check rather than compiling the schema again at every cold start; they only make sure the
 * file is that JSON, so that a wrong RELAY_CONFIG fails with a sentence, not a TypeError.
 */
export function readBundledConfig(file: string): RelayConfig {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the bundled config ${file}: ${(error as Error).message.split('\n', 1)[0]}; deploy a config that relay validate accepts`, {
      cause: error,
    });
  }
  const config = value as Partial<RelayConfig> | null;
  if (typeof config?.codestream !== 'object' || typeof config.sources !== 'object' || !Array.isArray(config.rules)) {
    throw new Error(`the bundled config ${file} is not the JSON that synth writes (codestream, sources and rules)`);
  }
  return config as RelayConfig;
}
