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
  /** s3rver, where bodies too large for a queued message are kept ({@link localS3ClientConfig}). */
  s3Endpoint?: string;
  /** DynamoDB (dynalite) with the relay's idempotency table; absent in a local.json of an earlier version. */
  dynamodbEndpoint?: string;
  /** The idempotency table's name there. */
  idempotencyTable?: string;
  /** The delivery log's table there (lambda/history); absent in a local.json of an earlier version. */
  deliveriesTable?: string;
  /** The config the running relay loaded (absolute path). */
  configFile: string;
  codestreamUrl: string;
  pid: number;
}

/** local-aws-sqs and dynalite check no signature, but the SDK will not send unsigned requests. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * How a client reaches local mode's S3 server (s3rver): it checks every request's signature
 * against its own credentials, takes bucket names in the path, and does not read the aws-chunked
 * bodies with checksum trailers that the SDK would otherwise send.
 */
export function localS3ClientConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
}

export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.RELAY_STATE_DIR ?? '.relay');
}

export function writeLocalState(directory: string, state: LocalState): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, 'local.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The state of the local relay that runs with this folder.
 *
 * @throws Error saying how to start local mode when no state is there, or that the relay which
 *   wrote it is not running any more.
 */
export function readLocalState(directory: string): LocalState {
  const file = path.join(directory, 'local.json');
  const state = readLocalStateIfAny(directory);
  if (state === undefined) {
    throw new Error(`no running local relay found (${file}): start it with npm start, or name the queues (--queue-url and --dlq-url, or --queue and --dlq)`);
  }
  if (!isRunning(state.pid)) {
    throw new Error(
      `the local relay that wrote ${file} (pid ${state.pid}) is not running: it was killed or crashed. Start it again with npm start; what it had queued and dead-lettered comes back from its journal`,
    );
  }
  return state;
}

/** What a local relay left in the folder, running or not; undefined when nothing readable is there. */
export function readLocalStateIfAny(directory: string): LocalState | undefined {
  try {
    return JSON.parse(readFileSync(path.join(directory, 'local.json'), 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists (signal 0 only checks): a killed relay's does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
