import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CodeStreamSimulator } from './CodeStreamSimulator';
import { describeRequest } from './describeRequest';
import type { FaultPlanSpec } from './FaultPlan';
import { loadSeed } from './seed';

const USAGE = `usage: npm run simulator -- [PORT] [--seed FILE] [--faults FILE] [--token-lifetime SECONDS] [--execute-status 200|202] [--tls-cert FILE --tls-key FILE]
  PORT              port to listen on (default: $PORT, else 3000; 0 picks a free one)
  --seed FILE       users, pipelines and webhooks (default: local/codestream-simulator/seed.example.json)
  --faults FILE     a fault plan as JSON: {"script": [...], "probability": 0.3, "pick": [...], "seed": 1}
  --token-lifetime  lifetime of issued bearer tokens in seconds (default 28800)
  --execute-status  status of a successful execute answer (default 202)
  --tls-cert FILE   serve HTTPS with this certificate chain (PEM), as an appliance with a company CA's certificate
  --tls-key FILE    the certificate's private key (PEM)
A seeded pipeline's "run": {"seconds": 2, "ends": "COMPLETED"} ends its executions; without it they run for ever.
Control endpoints: GET /_simulator/requests, GET /_simulator/executions, PUT /_simulator/faults,
  POST /_simulator/tokens/expire, PUT /_simulator/executions/ID {"status": "FAILED", "statusMessage": "…", "seconds": 0}
  (docs/simulator.md)`;

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string', default: path.join(__dirname, 'seed.example.json') },
      faults: { type: 'string' },
      'token-lifetime': { type: 'string', default: '28800' },
      'execute-status': { type: 'string', default: '202' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(positionals[0] ?? process.env.PORT ?? 3000);
  const tokenLifetimeSeconds = Number(values['token-lifetime']);
  const executeStatus = Number(values['execute-status']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`the port must be a number from 0 to 65535`);
  if (!(tokenLifetimeSeconds > 0)) fail('--token-lifetime must be a positive number of seconds');
  if (executeStatus !== 200 && executeStatus !== 202) fail('--execute-status must be 200 or 202');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) fail('--tls-cert and --tls-key go together');
  const tls = values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert'], 'utf8'), key: readFileSync(values['tls-key'], 'utf8') } : undefined;

  const seed = loadSeed(values.seed);
  const faults = values.faults ? (JSON.parse(readFileSync(values.faults, 'utf8')) as FaultPlanSpec) : undefined;
  const simulator = new CodeStreamSimulator({
    port,
    seed,
    faults,
    tokenLifetimeSeconds,
    executeStatus,
    tls,
    onRequest: (record) => console.log(`${record.at} ${describeRequest(record)}`),
  });
  simulator.start().then(
    (url) => {
      console.log(`Code Stream simulator listening on ${url}`);
      console.log(`  users: ${seed.users.map((user) => user.name).join(', ')} (credentials in ${values.seed})`);
      for (const pipeline of seed.pipelines) {
        const run = pipeline.run ? `  (executions end ${pipeline.run.ends} after ${pipeline.run.seconds} s)` : '';
        console.log(`  pipeline ${pipeline.project}/${pipeline.name}  id ${pipeline.id}${pipeline.enabled === false ? '  (disabled)' : ''}${run}`);
      }
      for (const webhook of seed.gitWebhooks ?? []) console.log(`  git webhook ${webhook.project}/${webhook.name} → pipeline ${webhook.pipeline}`);
      for (const webhook of seed.registryWebhooks ?? []) {
        console.log(`  registry webhook ${webhook.project}/${webhook.name} → pipeline ${webhook.pipeline}${webhook.enabled === false ? '  (disabled)' : ''}`);
      }
      console.log(`  requests:   curl ${url}/_simulator/requests`);
      console.log(`  executions: curl ${url}/_simulator/executions`);
      console.log(`  faults:     curl -X PUT ${url}/_simulator/faults -d '{"script":[{"kind":"status","status":503}]}'`);
      console.log(`  end one:    curl -X PUT ${url}/_simulator/executions/ID -d '{"status":"FAILED","statusMessage":"Task deploy failed."}'`);
    },
    (error: Error) => fail(`cannot start the simulator: ${error.message}`),
  );
  const shutdown = (): void => {
    void simulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

function fail(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

try {
  main();
} catch (error) {
  fail((error as Error).message);
}
