import type { LoadedConfig } from '../lambda/config/loadConfig';
import type { RelayConfig } from '../lambda/config/RelayConfig';
import type { CanonicalEvent } from '../lambda/events/CanonicalEvent';
import { MalformedMessageError, type RelayMessage, messageBody } from '../lambda/events/RelayMessage';
import { WebhookError } from '../lambda/providers/errors';
import { parseBody } from '../lambda/providers/parseBody';
import { messageEvents } from '../lambda/relay/messageEvents';
import type { Delivery } from '../lambda/rules/Delivery';
import type { BodyHistory } from './BodyHistory';
import type { DeadLetter } from './DeadLetter';
import { CommandError } from './errors';
import { type Supersessions, readSupersessions } from './printDecisions';

/** A dead-lettered delivery made ready for the current rules, as `relay replay` and the console dry-run it. */
export interface DeadLetterReplay {
  /** The record's message, with its body read from S3 where ingress kept it there. */
  message: RelayMessage;
  /** Its events as the relay gives them to the rules. */
  deliveries: Delivery[];
  /** The first delivery with the same body, when the relay takes this one for a repeat of it. */
  repeatOf: string | undefined;
  supersessions: Supersessions;
}

/**
 * The record's events, and what the idempotency table (`history`, when there is one) says of
 * them: a repeat of an earlier delivery, events a newer one superseded in a quiet period.
 * Nothing is sent or written.
 * @throws CommandError when the record holds no delivery, its body or the table cannot be read.
 */
export async function replayDeadLetter(
  record: DeadLetter,
  bodies: { withBody(message: RelayMessage): Promise<RelayMessage> },
  { config, engine }: Pick<LoadedConfig, 'config' | 'engine'>,
  history: BodyHistory | undefined,
): Promise<DeadLetterReplay> {
  if (record.message === undefined) {
    throw new CommandError(`the dead-letter record ${record.messageId} holds no delivery to replay: ${record.malformed}`);
  }
  const message = await bodies.withBody(record.message);
  const deliveries = deliveriesOf(record.messageId, message, config.sources);
  const repeatOf = await history?.repeatOf(message.source, messageBody(message), message.deliveryId, config.sources[message.source]?.replayWindowHours);
  const supersessions = await readSupersessions(history, engine, deliveries, repeatOf === undefined ? undefined : { deliveryId: message.deliveryId, first: repeatOf });
  return { message, deliveries, repeatOf, supersessions };
}

/** The message's events as the relay gives them to the rules (lambda/relay/processRecord.ts). */
function deliveriesOf(messageId: string, message: RelayMessage, sources: RelayConfig['sources']): Delivery[] {
  const request = { body: messageBody(message), headers: message.headers, query: message.query };
  let body: Record<string, unknown>;
  let events: CanonicalEvent[];
  try {
    body = parseBody(request);
    events = messageEvents(message, request, body, sources);
  } catch (error) {
    if (error instanceof MalformedMessageError) throw new CommandError(`the dead-letter record ${messageId} cannot be replayed: ${error.message}`, { cause: error });
    if (!(error instanceof WebhookError)) throw error;
    throw new CommandError(`the delivery in dead-letter record ${messageId} cannot be read: ${error.message}`, { cause: error });
  }
  return events.map((event) => ({ event, body, headers: message.headers, query: message.query }));
}
