import { CONFIG_SCHEMA } from '../../lambda/config/configSchema';
import { EXIT, type Io } from '../Io';
import { parseCommandArgs } from '../parseCommandArgs';

export const SCHEMA_USAGE = `usage: relay schema
print the config's JSON Schema (relay.config.schema.json is its output)`;

/** `relay schema`: prints the config's JSON Schema, as published in relay.config.schema.json. */
export function schemaCommand(args: string[], io: Io): number {
  parseCommandArgs(SCHEMA_USAGE, { args, options: {} });
  io.stdout.write(`${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);
  return EXIT.ok;
}
