import './processEnvironment';
import { ConfigError, formatProblem } from '../lambda/config/ConfigError';
import { LocalRelay, type Started } from './LocalRelay';
import { stateDirectory } from './LocalState';

/**
 * `npm start`: the relay on this machine. Settings from the environment: PORT (default 3000),
 * RELAY_CONFIG (default ./relay.config.yaml), RELAY_SECRETS (default ./relay.secrets.local.json),
 * CODESTREAM_URL (default: the simulator, in-process, on SIMULATOR_PORT, default 3001; an https://
 * URL is verified against the public CAs and the config's codestream.caCertificates, and reached
 * through codestream.proxy or HTTPS_PROXY/NO_PROXY, as in the cloud),
 * RELAY_STATE_DIR (default ./.relay), SQS_ENDPOINT and DYNAMODB_ENDPOINT (queues and table that
 * outlive this process), RELAY_FUNCTION_TIMEOUT_MS (default 30000), RELAY_CONCURRENCY (pollers, default 1),
 * RELAY_DRAIN_SECONDS (how long a stop lets queued deliveries run, default 20), CONSOLE_PORT (the
 * web console on 127.0.0.1, default 3002; 0 a free port, `off` none), and the
 * relay's own settings (MAX_RECEIVE_COUNT, RETRY_BASE_SECONDS, …).
 */
/** Signals within this long of the first are the same Ctrl-C, delivered by more than one process. */
const SAME_SIGNAL_MS = 2_000;

async function main(): Promise<void> {
  const env = process.env;
  const relay = new LocalRelay({
    port: Number(env.PORT ?? 3000),
    configFile: env.RELAY_CONFIG ?? 'relay.config.yaml',
    secretsFile: env.RELAY_SECRETS ?? 'relay.secrets.local.json',
    stateDir: stateDirectory(env),
    codestreamUrl: env.CODESTREAM_URL || undefined,
    simulatorSeed: env.SIMULATOR_SEED,
    simulatorPort: env.SIMULATOR_PORT === undefined ? undefined : Number(env.SIMULATOR_PORT),
    sqsEndpoint: env.SQS_ENDPOINT || undefined,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    functionTimeoutMs: env.RELAY_FUNCTION_TIMEOUT_MS === undefined ? undefined : Number(env.RELAY_FUNCTION_TIMEOUT_MS),
    drainMs: env.RELAY_DRAIN_SECONDS === undefined ? undefined : Number(env.RELAY_DRAIN_SECONDS) * 1000,
    consolePort: env.CONSOLE_PORT === 'off' ? undefined : Number(env.CONSOLE_PORT ?? 3002),
    env,
  });
  let started: Started;
  try {
    started = await relay.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
      process.exit(1);
    }
    throw error;
  }
  console.log(banner(started));

  let stoppingSince: number | undefined;
  const stop = (signal: string) => {
    if (stoppingSince !== undefined) {
      // A terminal's Ctrl-C reaches npm and node together, and npm forwards it once more: signals
      // that close together are one Ctrl-C. Only a later one means "stop at once".
      if (Date.now() - stoppingSince < SAME_SIGNAL_MS) return;
      console.log('Stopped at once. Every delivery answered 202 is in the queue journal and runs at the next start.');
      process.exit(130);
    }
    stoppingSince = Date.now();
    console.log(`${signal}: no new deliveries; finishing the queued ones (${signal} again to stop at once)…`);
    relay.stop().then(
      ({ saved, deadLettered }) => {
        console.log(`Stopped. ${saved} deliveries still queued and ${deadLettered} dead-lettered are saved for the next start.`);
        process.exit(0);
      },
      (error: Error) => {
        console.error(`Stopping failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function banner(started: Started): string {
  const { config } = started.config;
  const width = Math.max(...Object.keys(config.sources).map((name) => name.length));
  const lines = [
    'Code Stream webhook relay, local mode',
    `  Code Stream  ${started.codestreamUrl}${started.simulated ? '  (the simulator: its requests are logged as CODESTREAM)' : ''}`,
    `  rules        ${started.config.engine.size}; health ${started.url}/health`,
    `  console      ${started.consoleUrl ?? `not started: ${started.consoleProblem ?? 'CONSOLE_PORT is off'}`}`,
    '  webhooks',
    ...Object.entries(config.sources).map(([name, source]) => `    ${name.padEnd(width)}  ${started.url}/hooks/${name}  (${source.provider})`),
    '  operator     npx relay deliveries list | npx relay dlq list | npx relay dlq redrive --all',
  ];
  if (config.sources.github?.provider === 'github') {
    // npm run push finds the relay by PORT, as npm start does.
    const port = new URL(started.url).port;
    const push = `${port === '3000' ? '' : `PORT=${port} `}npm run push`;
    lines.push('', 'Send a signed GitHub push of a new commit (--again: the same body under a new delivery id):', `  ${push}  |  ${push} -- --again`);
  }
  lines.push(
    '',
    started.journal
      ? `Ready. A 202 means the delivery is on disk (${started.journal}): Ctrl-C, even kill -9, loses none.`
      : 'Ready. The queues are SQS_ENDPOINT\'s: what they hold outlives this process.',
  );
  return lines.join('\n');
}

main().catch((error: Error) => {
  console.error(`The local relay could not start: ${error.message}`);
  process.exit(1);
});
