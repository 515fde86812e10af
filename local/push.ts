import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, formatProblem } from '../lambda/config/ConfigError';
import { loadConfig } from '../lambda/config/loadConfig';
import { FileSecretStore } from './FileSecretStore';
import { stateDirectory } from './LocalState';

/**
 * `npm run push`: one signed GitHub push to the running local relay, as GitHub sends one for a new
 * commit: the push fixture with a fresh commit id and timestamp, under a fresh delivery id. The
 * relay treats the same body sent again as a replay, so each push must differ as real ones do.
 * `--again` resends the last accepted body under a new delivery id, to show exactly that replay.
 * Settings as `npm start`'s: PORT (default 3000), RELAY_CONFIG, RELAY_SECRETS, RELAY_STATE_DIR.
 */
const FIXTURE = path.join(__dirname, '../test/fixtures/webhooks/github/push.branch-created');
const USAGE = 'usage: npm run push [-- --again]';

interface Commit {
  id: string;
  timestamp: string;
}

interface PushBody {
  after: string;
  head_commit: Commit;
  commits: Commit[];
}

/** A failure whose message says all the user needs: printed without a stack. */
class PushError extends Error {}

async function main(argv: string[]): Promise<void> {
  let again: boolean;
  try {
    again = parseArgs({ args: argv, options: { again: { type: 'boolean', default: false } } }).values.again;
  } catch (error) {
    throw new PushError(`${(error as Error).message}\n${USAGE}`);
  }
  const env = process.env;
  const url = `http://127.0.0.1:${env.PORT ?? 3000}`;
  const secret = await githubSecret(env.RELAY_CONFIG ?? 'relay.config.yaml', env.RELAY_SECRETS ?? 'relay.secrets.local.json');
  const lastPush = path.join(stateDirectory(env), 'last-push.json');
  const body = again ? readLastPush(lastPush) : newCommit(readFileSync(`${FIXTURE}.json`, 'utf8'));
  const commit = (JSON.parse(body) as PushBody).after;
  const deliveryId = `local-${randomUUID()}`;
  const sign = (algorithm: 'sha1' | 'sha256') => `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
  const headers = {
    ...(JSON.parse(readFileSync(`${FIXTURE}.headers.json`, 'utf8')) as Record<string, string>),
    'X-GitHub-Delivery': deliveryId,
    // GitHub sends both; the fixture's SHA-1 one signs the fixture's body, and the relay checks it when SHA-256 is missing.
    'X-Hub-Signature': sign('sha1'),
    'X-Hub-Signature-256': sign('sha256'),
  };

  let response: Response;
  try {
    response = await fetch(`${url}/hooks/github`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    if (refused(error)) throw new PushError(`no local relay answers on ${url}: start it with npm start`);
    const cause = (error as Error & { cause?: Error }).cause;
    throw new PushError(`the push to ${url} failed: ${(cause ?? (error as Error)).message}`);
  }
  const answer = (await response.text()).trim();
  // The relay's 202 names the delivery; any other answer may not, and the id is what its log shows.
  const line = `${response.status} ${answer} (${answer.includes(deliveryId) ? '' : `delivery ${deliveryId}, `}commit ${commit})`;
  if (!response.ok) throw new PushError(`the relay did not accept the push: ${line}`);
  if (!again) {
    mkdirSync(path.dirname(lastPush), { recursive: true });
    writeFileSync(lastPush, body);
  }
  console.log(line);
}

/** The secret the config's github source names first: the one GitHub signs with (the rest are older ones, still accepted). */
async function githubSecret(configFile: string, secretsFile: string): Promise<string> {
  const source = loadConfig(configFile).config.sources.github;
  if (source?.provider !== 'github') throw new PushError(`${configFile} has no source "github" of provider github to push to`);
  const name = source.secrets[0];
  if (name === undefined) throw new PushError(`${configFile}: the github source names no secret`);
  return (await new FileSecretStore(secretsFile).get(name)).value;
}

/** The fixture as a new commit's push: a random commit id where the fixture has its head commit's, and now as its time. */
function newCommit(fixture: string): string {
  const body = JSON.parse(fixture) as PushBody;
  const id = randomBytes(20).toString('hex');
  // GitHub's timestamps have whole seconds.
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  body.after = id;
  for (const commit of [body.head_commit, body.commits[0]]) {
    if (commit) Object.assign(commit, { id, timestamp: now });
  }
  return JSON.stringify(body);
}

function readLastPush(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new PushError(`no earlier push to send again (${file}): run npm run push first`);
  }
}

/** fetch throws a bare "fetch failed"; what happened is its cause. */
function refused(error: unknown): boolean {
  return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
}

main(process.argv.slice(2)).catch((error: Error) => {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(formatProblem(problem));
  } else {
    console.error(error instanceof PushError ? error.message : `npm run push failed: ${error.message}`);
  }
  process.exitCode = 1;
});
