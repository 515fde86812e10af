import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ingressDependencies } from '../lambda/handlers/ingressDependencies';
import { relayDependencies } from '../lambda/handlers/relayDependencies';
import { createIngressHandler } from '../lambda/handlers/ingress';
import { createRelayHandler } from '../lambda/handlers/relay';
import { number } from '../lambda/handlers/settings';
import { DEFAULT_MAX_BODY_BYTES } from '../lambda/ingress/acceptWebhook';
import { type LoadedConfig, loadConfig } from '../lambda/config/loadConfig';
import { type RunningConsole, startConsole } from '../cli/console/ConsoleServer';
import { CommandError } from '../cli/errors';
import { DeliveryHistory } from '../cli/history/DeliveryHistory';
import type { DeliveryHistoryReader } from '../cli/history/DeliveryQuery';
import { RelayQueues } from '../cli/RelayQueues';
import { ApiGatewayServer } from './ApiGatewayServer';
import { CodeStreamSimulator } from './codestream-simulator/CodeStreamSimulator';
import { describeRequest } from './codestream-simulator/describeRequest';
import { loadSeed } from './codestream-simulator/seed';
import { FileSecretStore } from './FileSecretStore';
import { LOCAL_REGION, type LocalBucket, type LocalQueues, type LocalTable, startLocalBucket, startLocalQueues, startLocalTable } from './localAws';
import { isRunning, readLocalStateIfAny, writeLocalState } from './LocalState';
import { ReadableLogger } from './ReadableLogger';
import { SqsEventSourceMapping } from './SqsEventSourceMapping';

export interface LocalRelayOptions {
  /** Port of the webhook endpoint (0 for a free one). */
  port: number;
  configFile: string;
  /** JSON file: secret name → value. */
  secretsFile: string;
  /** Where local mode keeps what must survive a restart: the idempotency table, queued messages, local.json. */
  stateDir: string;
  /** A real Code Stream (or a simulator started elsewhere); without it the simulator starts in-process. */
  codestreamUrl?: string;
  /** The simulator's users and pipelines. @default local/codestream-simulator/seed.example.json */
  simulatorSeed?: string;
  /** The simulator's port, so that its control endpoints have a known address. @default 3001 */
  simulatorPort?: number;
  /** Relay settings (MAX_RECEIVE_COUNT, RETRY_BASE_SECONDS, …); local mode's defaults retry sooner than the cloud's. */
  env?: NodeJS.ProcessEnv;
  /** Where lines go. @default stdout */
  print?: (line: string) => void;
  /** How long stopping may wait for queued deliveries to be processed. @default 20 s */
  drainMs?: number;
  /**
   * An SQS endpoint that already has the queues `relay-deliveries` and `relay-deliveries-dlq`,
   * outliving this process (the soak test's, or a shared one): then no journal is kept.
   */
  sqsEndpoint?: string;
  /** A DynamoDB endpoint that outlives this process; the table is created there if missing. */
  dynamodbEndpoint?: string;
  /** The relay "function"'s timeout: what an invocation may take. @default 30 s */
  functionTimeoutMs?: number;
  /** The web console's port on 127.0.0.1 (0 for a free one). @default no console */
  consolePort?: number;
  /** Where the console's built page is. @default dist/console (`npm run build:console`) */
  consoleAssetsDir?: string;
}

export interface Started {
  url: string;
  /** The queue journal's path; undefined when the queues are another process's. */
  journal?: string;
  codestreamUrl: string;
  simulated: boolean;
  config: LoadedConfig;
  /** The web console's URL; undefined when it was not asked for, or could not start (`consoleProblem` says why). */
  consoleUrl?: string;
  consoleProblem?: string;
}

interface SavedMessage {
  body: string;
  attributes: Record<string, MessageAttributeValue>;
}

/**
 * The whole relay on one machine: the real ingress and relay handlers, an HTTP server with API
 * Gateway's contract, SQS (local-aws-sqs) with a DLQ and redrive, a poller with Lambda's
 * event-source-mapping contract, DynamoDB (dynalite, on disk) for idempotency, S3 (s3rver, on
 * disk) for bodies too large for a queued message, and Code Stream's
 * simulator unless a real URL is given. Every change to the queues is journaled on disk before it
 * is acknowledged, so what ingress accepted survives a stop or a kill and is queued again at the
 * next start (local/QueueJournal.ts).
 */
export class LocalRelay {
  readonly #options: LocalRelayOptions;
  readonly #print: (line: string) => void;
  #ready = false;
  #queues?: LocalQueues;
  #table?: LocalTable;
  #bucket?: LocalBucket;
  #simulator?: CodeStreamSimulator;
  #api?: ApiGatewayServer;
  #mappings: SqsEventSourceMapping[] = [];
  #console?: RunningConsole;
  #history?: DeliveryHistoryReader;

  constructor(options: LocalRelayOptions) {
    this.#options = options;
    this.#print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  }

  async start(): Promise<Started> {
    const options = this.#options;
    const env = { ...options.env };
    const loaded = loadConfig(options.configFile);
    const logger = new ReadableLogger(this.#print);
    const secrets = new FileSecretStore(options.secretsFile);
    mkdirSync(options.stateDir, { recursive: true });

    let codestreamUrl = options.codestreamUrl;
    if (!codestreamUrl) {
      this.#simulator = new CodeStreamSimulator({
        port: options.simulatorPort ?? 3001,
        seed: loadSeed(options.simulatorSeed ?? path.join(__dirname, 'codestream-simulator/seed.example.json')),
        onRequest: (record) => this.#print(`${new Date().toISOString().slice(11, 19)} CODESTREAM ${describeRequest(record)}`),
      });
      codestreamUrl = await this.#simulator.start();
    }
    const config: LoadedConfig = {
      ...loaded,
      config: {
        ...loaded.config,
        codestream: {
          ...loaded.config.codestream,
          url: codestreamUrl,
          authorizeUrl: this.#simulator ? `${codestreamUrl}/csp/gateway/am/api/auth/api-tokens/authorize` : loaded.config.codestream.authorizeUrl,
        },
      },
    };

    const maxReceiveCount = Number(env.MAX_RECEIVE_COUNT ?? 5);
    const functionTimeoutMs = options.functionTimeoutMs ?? 30_000;
    await refuseIfRunning(options.stateDir, this.#print);
    const queues = await startLocalQueues(
      options.sqsEndpoint
        ? { endpoint: options.sqsEndpoint }
        : {
            port: Number(env.SQS_PORT ?? 0),
            journal: path.join(options.stateDir, 'queues.journal'),
            // Lambda's rule: six times the function's timeout.
            visibilityTimeoutSeconds: (functionTimeoutMs / 1000) * 6,
            // The backstop above the relay's own limit, as in the stack.
            maxReceiveCount: maxReceiveCount + 2,
          },
    );
    this.#queues = queues;
    const table = await startLocalTable(options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint } : { path: path.join(options.stateDir, 'dynamodb') });
    this.#table = table;
    // On disk beside the queue journal: a message and the large body it names survive together.
    const bucket = await startLocalBucket({ directory: path.join(options.stateDir, 's3') });
    this.#bucket = bucket;
    if (queues.restored.queued + queues.restored.deadLettered > 0) {
      this.#print(`Restored ${queues.restored.queued} queued and ${queues.restored.deadLettered} dead-lettered deliveries from the last run.`);
    }
    if (!options.sqsEndpoint) await this.#restoreSavedMessages(queues);

    const settings = {
      ...env,
      QUEUE_URL: queues.queueUrl,
      DEAD_LETTER_QUEUE_URL: queues.dlqUrl,
      IDEMPOTENCY_TABLE: table.tableName,
      DELIVERIES_TABLE: table.deliveriesTableName,
      BODY_BUCKET: bucket.bucket,
      MAX_RECEIVE_COUNT: String(maxReceiveCount),
      RETRY_BASE_SECONDS: env.RETRY_BASE_SECONDS ?? '2',
      RETRY_MAX_SECONDS: env.RETRY_MAX_SECONDS ?? '10',
      FUNCTION_TIMEOUT_MS: String(functionTimeoutMs),
      IDEMPOTENCY_LEASE_MS: env.IDEMPOTENCY_LEASE_MS ?? String(functionTimeoutMs + 60_000),
    };
    const overrides = { sqs: queues.client, dynamodb: table.client, s3: bucket.client, secrets, config: config.config, engine: config.engine, logger, withoutMetrics: true };
    const ingress = createIngressHandler(() => ingressDependencies(settings, overrides), { publishMetrics: false });
    // Built now rather than at the first record, so that a setting the relay refuses stops the start.
    const relayBuilt = relayDependencies(settings, overrides);
    const relay = createRelayHandler(() => relayBuilt, { publishMetrics: false });
    // Like Lambda's event source mapping, several pollers share the queue (RELAY_CONCURRENCY).
    this.#mappings = Array.from(
      { length: Math.max(1, Number(env.RELAY_CONCURRENCY ?? 1)) },
      () =>
        new SqsEventSourceMapping({
          client: queues.client,
          queueUrl: queues.queueUrl,
          queueArn: queues.queueArn,
          handler: relay,
          batchSize: 10,
          waitTimeSeconds: 1,
          functionTimeoutMs,
          onError: (error) => logger.error('The relay poller failed', { error: (error as Error).message }),
        }),
    );
    for (const mapping of this.#mappings) mapping.start();
    // The same limit as the ingress handler's, applied before a body is read whole.
    this.#api = new ApiGatewayServer(ingress, () => this.#ready, { maxBodyBytes: number(settings, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES) });
    const url = await this.#api.listen(options.port);
    writeLocalState(options.stateDir, {
      sqsEndpoint: queues.endpoint,
      region: LOCAL_REGION,
      queueUrl: queues.queueUrl,
      deadLetterQueueUrl: queues.dlqUrl,
      s3Endpoint: bucket.endpoint,
      dynamodbEndpoint: table.endpoint,
      idempotencyTable: table.tableName,
      deliveriesTable: table.deliveriesTableName,
      configFile: path.resolve(options.configFile),
      codestreamUrl,
      pid: process.pid,
    });
    const console = options.consolePort === undefined ? {} : await this.#startConsole(options.consolePort, table);
    this.#ready = true;
    return { ...console, url, journal: options.sqsEndpoint ? undefined : path.relative(process.cwd(), path.join(options.stateDir, 'queues.journal')), codestreamUrl, simulated: this.#simulator !== undefined, config };
  }

  /**
   * Stops accepting, lets queued deliveries be processed for a while, then stops everything. What
   * is still queued, in flight or waiting out a delay is in the journal already, and comes back at
   * the next start. Delayed deliveries (waiting out a rule's quiet period) are not waited for:
   * they wait minutes by design.
   */
  async stop(): Promise<{ saved: number; deadLettered: number }> {
    this.#ready = false;
    await this.#api?.close();
    const queues = this.#queues;
    if (queues) {
      const deadline = Date.now() + (this.#options.drainMs ?? 20_000);
      while (Date.now() < deadline && (await depth(queues, queues.queueUrl)) > 0) await sleep(200);
      await Promise.all(this.#mappings.map((mapping) => mapping.stop()));
    }
    const saved = queues?.journaled() ?? { queued: 0, deadLettered: 0 };
    await this.#console?.stop();
    this.#history?.close();
    rmSync(path.join(this.#options.stateDir, 'local.json'), { force: true });
    await Promise.all([queues?.stop(), this.#table?.stop(), this.#bucket?.stop(), this.#simulator?.stop()]);
    return { saved: saved.queued, deadLettered: saved.deadLettered };
  }

  /**
   * The web console over this relay's log and queues, as `relay console` serves it. The relay runs
   * without it when it cannot start (its page not built, its port taken): the webhooks matter more.
   */
  async #startConsole(port: number, table: LocalTable): Promise<{ consoleUrl?: string; consoleProblem?: string }> {
    const stateDir = this.#options.stateDir;
    this.#history = new DeliveryHistory(table.documentClient, table.deliveriesTableName, `local mode's table ${table.deliveriesTableName}`);
    try {
      this.#console = await startConsole({
        history: this.#history,
        queues: () => RelayQueues.locate({ 'state-dir': stateDir }),
        configFile: path.resolve(this.#options.configFile),
        assetsDir: this.#options.consoleAssetsDir,
        port,
      });
      return { consoleUrl: this.#console.url };
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return { consoleProblem: error.message };
    }
  }

  /** Queues again what a stop of a version before the journal saved in queues.json. */
  async #restoreSavedMessages(queues: LocalQueues): Promise<void> {
    const file = path.join(this.#options.stateDir, 'queues.json');
    if (!existsSync(file)) return;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { main: SavedMessage[]; deadLetters: SavedMessage[] };
    for (const [queueUrl, messages] of [
      [queues.queueUrl, saved.main],
      [queues.dlqUrl, saved.deadLetters],
    ] as const) {
      for (const message of messages) {
        await queues.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message.body, MessageAttributes: message.attributes }));
      }
    }
    rmSync(file);
    this.#print(`Restored ${saved.main.length} queued and ${saved.deadLetters.length} dead-lettered deliveries saved by an earlier version.`);
  }
}

/**
 * Two relays on one state folder would write one journal: a relay that is still running there
 * (its process alive and its queues answering) is refused; one that was killed is named.
 */
async function refuseIfRunning(stateDir: string, print: (line: string) => void): Promise<void> {
  const state = readLocalStateIfAny(stateDir);
  if (state === undefined) return;
  const answering = isRunning(state.pid) && (await fetch(state.sqsEndpoint, { signal: AbortSignal.timeout(2_000) }).then(() => true, () => false));
  if (answering) {
    throw new Error(`another local relay (pid ${state.pid}) runs with the state folder ${stateDir}: stop it first, or give this one another RELAY_STATE_DIR`);
  }
  print(`The last local relay here (pid ${state.pid}) did not stop cleanly (killed?): what it had queued comes back from its journal.`);
}

/** Messages in the queue, visible or in flight. */
async function depth(queues: LocalQueues, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await queues.client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  // local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages too: take the larger.
  return Math.max(Number(Attributes.ApproximateNumberOfMessages ?? 0), Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0));
}
