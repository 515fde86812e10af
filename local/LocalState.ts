import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What a running local mode tells the `relay` operator commands: where its queues are. Written to
 * `<state dir>/local.json` when local mode is ready (state dir: RELAY_STATE_DIR, default `.relay`).
 */
export interface LocalState {
  /** local-aws-sqs, e.g. `http://127.0.0.1:41234`. */
  sqsEndpoint: string;
  region: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** The config the running relay loaded (absolute path). */
  configFile: string;
  codestreamUrl: string;
  pid: number;
}

export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.RELAY_STATE_DIR ?? '.relay');
}

export function writeLocalState(directory: string, state: LocalState): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, 'local.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** @throws Error saying how to start local mode when no state is there. */
export function readLocalState(directory: string): LocalState {
  const file = path.join(directory, 'local.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  } catch {
    throw new Error(`no running local relay found (${file}): start it with npm start, or name the queues (--queue-url and --dlq-url, or --queue and --dlq)`);
  }
}
