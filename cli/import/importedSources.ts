import type { SourceDefinition } from '../../lambda/config/RelayConfig';
import type { MappedWebhook } from './nativeWebhook';
import { serverIdentity } from './ServerKey';
import { asName, UniqueNames } from './UniqueNames';

/** A source of the imported config, with the comment above it. */
export interface ImportedSource {
  name: string;
  definition: SourceDefinition;
  comment: string;
}

/** The sources the webhooks need, which source each webhook's rule is on, and what the operator must do for each. */
export interface SourcePlan {
  sources: ImportedSource[];
  sourceOf(webhook: MappedWebhook): string;
  nextSteps: string[];
}

/**
 * One source per server (GitHub, a Bitbucket Data Center at one host, a Harbor endpoint), named
 * after its kind (`github`, `bitbucket-server`), or after its host or endpoint too when there are
 * several of a kind. Each has one secret, `webhooks/<source>`, as the example config has.
 */
export function importedSources(webhooks: readonly MappedWebhook[]): SourcePlan {
  const groups = new Map<string, MappedWebhook[]>();
  for (const webhook of webhooks) {
    const identity = serverIdentity(webhook.server);
    groups.set(identity, [...(groups.get(identity) ?? []), webhook]);
  }
  const kinds = new Map<string, number>();
  for (const [first] of groups.values()) if (first) kinds.set(first.server.name, (kinds.get(first.server.name) ?? 0) + 1);
  const names = new UniqueNames();
  const sources: ImportedSource[] = [];
  const nextSteps: string[] = [];
  const nameOf = new Map<string, string>();
  for (const [identity, members] of groups) {
    const { server } = members[0] as MappedWebhook;
    const alone = kinds.get(server.name) === 1 || server.qualifier === undefined;
    const name = names.claim(alone ? [server.name] : [`${server.name}-${asName(server.qualifier ?? '').toLowerCase()}`], server.name);
    nameOf.set(identity, name);
    const secret = `webhooks/${name}`;
    const serverUrl = members.find((member) => member.server.serverUrl)?.server.serverUrl;
    const definition: SourceDefinition = { provider: server.provider, secrets: [secret], ...(serverUrl ? { options: { serverUrl } } : {}) };
    const kind = members[0]?.origin.kind ?? 'git';
    sources.push({ name, definition, comment: `${server.description}${server.serverType ? ` (server type ${server.serverType})` : ''}: replaces ${count(members.length, `Code Stream ${kind} webhook`)}` });
    nextSteps.push(...stepsFor(name, secret, members));
    if (server.provider === 'bitbucket-server' && !serverUrl) {
      nextSteps.push(`source ${name}: set options.serverUrl to the server's base URL, which no webhook gave, so that the webhook's "Test connection" works (docs/deploy.md §11)`);
    }
  }
  return {
    sources,
    sourceOf: (webhook) => nameOf.get(serverIdentity(webhook.server)) ?? '',
    nextSteps,
  };
}

/** What the operator does for one source: its secret, the sender's webhooks, and retiring Code Stream's. */
function stepsFor(name: string, secret: string, members: readonly MappedWebhook[]): string[] {
  const [first] = members;
  if (!first) return [];
  const { kind } = first.origin;
  const served = `GET /codestream/api/${kind}-webhooks/{id} serves it as secretToken; relay import prints no token`;
  const fingerprints = new Set(members.map((member) => member.secretFingerprint));
  const holding =
    fingerprints.size === 1 && first.secretFingerprint === undefined
      ? 'a new random value (openssl rand -hex 32): the Code Stream webhooks it replaces had no secret token'
      : fingerprints.size === 1
        ? `the secret token of the Code Stream webhooks it replaces (${served})`
        : `the secret token of ${first.origin.text} (${served}): the ${members.length} webhooks it replaces have ${fingerprints.size} different tokens (or none), and a source takes one (two while rotating), so set that one on each of its webhooks`;
  const url = `the relay's URL …/hooks/${name} (stack output WebhookUrl${name.replace(/[^A-Za-z0-9]/g, '')})`;
  const watched = [...new Set(members.map((member) => member.watches).filter((each) => each !== undefined))];
  const names = members.map((member) => `${member.origin.project}/${member.origin.name}`).join(', ');
  const steps = [`source ${name}: create the Secrets Manager secret ${secret} (plain text) holding ${holding}`];
  if (kind === 'git') {
    const ids = members.map((member) => member.serverWebhookId).filter((id) => id !== undefined);
    const repositories = watched.length > 0 ? watched.join(', ') : 'each repository it serves';
    steps.push(
      first.server.provider === 'gerrit'
        ? `source ${name}: on Gerrit, add a remote to the webhooks plugin's webhooks.config of ${repositories} whose url is ${url} with ?token= and that secret, which the plugin can send no other way (docs/providers.md, Gerrit)`
        : `source ${name}: on ${first.server.description}, add a webhook to ${repositories} with ${url} and that secret (docs/deploy.md §11)`,
      `source ${name}: once the relay's webhooks deliver, delete the Code Stream webhooks it replaces (${names}); Code Stream then deletes the webhooks it made on the Git server${ids.length > 0 ? ` (ids ${ids.join(', ')})` : ''}, and until then an event starts the pipeline twice`,
    );
  } else {
    steps.push(
      `source ${name}: on ${first.server.description}, point the webhook${watched.length > 0 ? ` for ${watched.join(', ')}` : 's'} at ${url} instead of Code Stream's, with that secret where docs/deploy.md §11 says for ${first.server.provider}`,
      `source ${name}: then delete the Code Stream webhooks it replaces (${names}), which receive nothing any more`,
    );
  }
  return steps;
}

function count(number: number, noun: string): string {
  return `${number} ${noun}${number === 1 ? '' : 's'}`;
}
