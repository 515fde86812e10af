import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

// The keys that matter to a person watching deliveries, in the order they read best.
const FIRST = ['source', 'deliveryId', 'eventKind', 'rule', 'pipeline', 'outcome', 'status', 'executionId'];
const HIDDEN = new Set(['reasons', 'executionLink', 'snippet', 'provider']);

/**
 * The relay's logger for local mode: one readable line a log call instead of a JSON document,
 * e.g. `12:00:01 INFO  Execution created  source=github deliveryId=5ecc… rule=build executionId=…`.
 * The Lambda functions keep Powertools' JSON.
 */
export class ReadableLogger extends Logger {
  readonly #keys: LogAttributes = {};

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    super({ serviceName: 'relay-local', logLevel: 'DEBUG' });
  }

  override appendKeys(attributes: LogAttributes): void {
    Object.assign(this.#keys, attributes);
  }

  override removeKeys(keys: string[]): void {
    for (const key of keys) delete this.#keys[key];
  }

  override debug(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    if (process.env.RELAY_LOG_LEVEL === 'DEBUG') this.#print('DEBUG', input, extra);
  }

  override info(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.#print('INFO', input, extra);
  }

  override warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.#print('WARN', input, extra);
  }

  override error(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.#print('ERROR', input, extra);
  }

  #print(level: Level, input: LogItemMessage, extra: LogItemExtraInput): void {
    const message = typeof input === 'string' ? input : String(input.message);
    const attributes: LogAttributes = { ...this.#keys };
    for (const item of extra) {
      if (item instanceof Error) attributes.error = item.message;
      else if (typeof item === 'string') attributes.detail = item;
      else Object.assign(attributes, item);
    }
    if (attributes.reasons && typeof attributes.reasons === 'object') {
      // "No rule matched": each rule's first failing condition, one per line.
      const reasons = Object.entries(attributes.reasons as Record<string, string>).map(([rule, reason]) => `\n      ${rule}: ${reason}`);
      attributes.why = reasons.join('');
    }
    const ordered = [...FIRST.filter((key) => key in attributes), ...Object.keys(attributes).filter((key) => !FIRST.includes(key) && key !== 'why')]
      .filter((key) => !HIDDEN.has(key) && attributes[key] !== undefined && attributes[key] !== '')
      .map((key) => `${key}=${format(attributes[key])}`);
    const time = new Date().toISOString().slice(11, 19);
    this.write(`${time} ${level.padEnd(5)} ${message}${ordered.length ? `  ${ordered.join(' ')}` : ''}${typeof attributes.why === 'string' ? attributes.why : ''}`);
  }
}

function format(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"]/.test(text) ? JSON.stringify(text) : text;
}
