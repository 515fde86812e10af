import { CONFIG_SCHEMA } from '../../lambda/config/configSchema';
import { EXIT, type Io } from '../Io';

/** `relay schema`: prints the config's JSON Schema, as published in relay.config.schema.json. */
export function schemaCommand(io: Io): number {
  io.stdout.write(`${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);
  return EXIT.ok;
}
