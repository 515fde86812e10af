import { createHash } from 'node:crypto';
import type { PipelineRef } from '../../lambda/codestream/types';
import { bool, integer, record, text } from '../../lambda/providers/json';
import type { RuleDefinition } from '../../lambda/rules/RuleDefinition';
import type { ServerKey } from './ServerKey';
import { isCredentialField } from './webhookCredentials';

/** Which of Code Stream's lists a webhook came from: `GET /codestream/api/git-webhooks` or `/registry-webhooks`. */
export type WebhookKind = 'git' | 'registry';

/** One document of those lists, the swagger's `GitWebhook` or `DockerRegistryWebHook`, of unchecked shape. */
export type NativeWebhook = Record<string, unknown>;

/** Which Code Stream webhook a rule or a report line is about. */
export interface Origin {
  kind: WebhookKind;
  project: string;
  name: string;
  id: string;
  /** `Code Stream git webhook demo/build-on-push (id 5b8d…)`. */
  text: string;
}

/** A rule as imported, before it gets its unique name and its source. */
export type ImportedRule = Omit<RuleDefinition, 'name'>;

/** A webhook the relay can take over: the rule it becomes, the server it is for, and what the operator should know. */
export interface MappedWebhook {
  origin: Origin;
  server: ServerKey;
  rule: ImportedRule;
  notes: string[];
  /** A one-way hash of the webhook's secretToken, to tell whether webhooks share a token; never the token. */
  secretFingerprint?: string;
  /** The repository or image the webhook watches, for the next steps. */
  watches?: string;
  /** The id of the webhook Code Stream made on the Git server, which deleting the Code Stream webhook deletes. */
  serverWebhookId?: string;
}

export type WebhookMapping = { mapped: MappedWebhook } | { skipped: { origin: Origin; reason: string } };

/** Fields that only record who made the webhook and when: nothing to carry over, nothing to report. */
const BOOKKEEPING = [
  '_createTimeInMicros',
  '_createdBy',
  '_link',
  '_projectId',
  '_updateTimeInMicros',
  '_updatedBy',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'version',
  'id',
  'name',
  'project',
];

export function originOf(kind: WebhookKind, webhook: NativeWebhook): Origin {
  const project = text(webhook, 'project') ?? '';
  const name = text(webhook, 'name') ?? '';
  const id = text(webhook, 'id') ?? '';
  const label = [project, name || '(no name)'].filter((part) => part !== '').join('/');
  return { kind, project, name, id, text: `Code Stream ${kind} webhook ${label} (id ${id || 'none'})` };
}

/** Why a webhook is not imported at all, when a setting they share says so; else undefined. */
export function sharedSkipReason(webhook: NativeWebhook): string | undefined {
  // The swagger's WebhookEnablePatch disables Git and registry webhooks alike.
  if (bool(webhook, 'enabled') === false) {
    return 'disabled in Code Stream; a relay rule has no disabled state, so importing it would start its pipeline: enable it in Code Stream and import again, or write the rule when it is wanted';
  }
  return undefined;
}

/**
 * The pipeline: the swagger gives its name (`pipeline`) within the webhook's `project`. A webhook
 * without a project whose `pipeline` is an id is taken by id.
 * @returns the reference, or why there is none.
 */
export function pipelineOf(webhook: NativeWebhook): PipelineRef | string {
  const pipeline = text(webhook, 'pipeline');
  const project = text(webhook, 'project');
  if (!pipeline) return 'it names no pipeline';
  if (project) return { project, name: pipeline };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(pipeline)) return { id: pipeline };
  return `its pipeline "${pipeline}" belongs to no project`;
}

/**
 * The webhook's `input` as the rule's: string values (numbers and booleans as text), with `$`
 * doubled, because a rule's input values are templates and Code Stream's are literal text.
 * Left out, each with a note: empty native inputs (GIT_* / DOCKER_*, which the relay fills from
 * the event as Code Stream's trigger does), values that are not text, and credentials.
 */
export function inputOf(webhook: NativeWebhook, nativeNames: readonly string[], notes: string[]): Record<string, string> | undefined {
  const input = record(webhook, 'input');
  if (!input) return undefined;
  const carried: Record<string, string> = {};
  const filledByRelay: string[] = [];
  for (const [name, value] of Object.entries(input)) {
    if (name === '') {
      notes.push('an input with an empty name is left out: a rule input needs a name');
    } else if (isCredentialField(name)) {
      notes.push(`input ${name} looks like a credential and is not written to the config: give it to the pipeline as a Code Stream secret variable instead`);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const literal = String(value);
      if (literal === '' && nativeNames.includes(name)) filledByRelay.push(name);
      else {
        carried[name] = literal.replace(/\$/g, '$$$$');
        if (nativeNames.includes(name)) {
          notes.push(`input ${name} has the fixed value "${literal}", which the relay sends instead of the value it reads from the event; remove it from input to send the event's`);
        }
      }
    } else {
      notes.push(`input ${name} is left out: its value is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : 'an object'}, and pipeline inputs are text`);
    }
  }
  if (filledByRelay.length > 0) {
    notes.push(`input ${filledByRelay.join(', ')} left out: empty in Code Stream, and the relay fills ${filledByRelay.length === 1 ? 'it' : 'them'} from the event as Code Stream's trigger does`);
  }
  return Object.keys(carried).length > 0 ? carried : undefined;
}

/** delayTimeInMins as the rule's quiet period: none for 0 or absent. */
export function quietPeriodOf(webhook: NativeWebhook, notes: string[]): ImportedRule['quietPeriod'] {
  const minutes = integer(webhook, 'delayTimeInMins');
  if (minutes !== undefined && minutes > 0) return { minutes };
  if (webhook.delayTimeInMins !== undefined && minutes === undefined) {
    notes.push(`delayTimeInMins ${JSON.stringify(webhook.delayTimeInMins)} is not a whole number of minutes: the rule starts its pipeline without delay`);
  }
  return undefined;
}

/**
 * Notes on the settings both kinds of webhook have and the relay does without, and on fields the
 * swagger does not define (by name only: a value may be a credential).
 */
export function sharedNotes(webhook: NativeWebhook, handled: readonly string[], notes: string[], definition: string): void {
  if (text(webhook, 'refreshToken')) {
    notes.push(
      "it ran its pipeline with a Code Stream API token of its own (refreshToken, not printed); the relay runs every pipeline with codestream.secret's credential, whose user must be allowed to run this one",
    );
  }
  const listener = text(webhook, 'externalListenerLink');
  if (listener) {
    notes.push(`it received events through Code Stream's listener ${listener}; the relay receives them itself, so the sender must reach the relay's URL`);
  }
  const known = new Set([...BOOKKEEPING, ...handled, 'enabled', 'refreshToken', 'externalListenerLink', 'secretToken', 'description']);
  const unknown = Object.keys(webhook).filter((field) => !known.has(field));
  if (unknown.length > 0) notes.push(`not carried over: ${unknown.join(', ')}, which the swagger's ${definition} does not define`);
}

/** The fingerprint of the webhook's secret token, for comparing tokens without keeping them. */
export function secretFingerprintOf(webhook: NativeWebhook): string | undefined {
  const token = text(webhook, 'secretToken');
  return token ? createHash('sha256').update(token).digest('hex') : undefined;
}
