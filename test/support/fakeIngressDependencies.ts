import type { SourceDefinition } from '../../lambda/config/RelayConfig';
import type { RelayMessage } from '../../lambda/events/RelayMessage';
import { DEFAULT_MAX_BODY_BYTES, type IngressDependencies } from '../../lambda/ingress/acceptWebhook';
import type { DeliveryQueue } from '../../lambda/ingress/DeliveryQueue';
import { RECEIVED_AT } from './deliveries';
import { InMemorySecretStore } from './InMemorySecretStore';
import { RecordingLogger, RecordingMetrics } from './recordingObservability';
import { type WithOverrides, withOverrides } from './withOverrides';
import { TEST_SECRET } from './webhookFixtures';

/** The delivery queue of ingress, keeping what it is sent; or failing every send with `failure`. */
export class RecordingQueue implements DeliveryQueue {
  /** The messages sent, and each one's body as ingress serialised it. */
  readonly sent: { message: RelayMessage; body: string }[] = [];

  constructor(private readonly failure?: Error) {}

  async send(message: RelayMessage, body: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push({ message, body });
  }
}

/** The fakes that stand in for ingress's AWS services and observability, for a test to read. */
export interface IngressFakes extends IngressDependencies {
  secrets: InMemorySecretStore;
  queue: RecordingQueue;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
}

/** A GitHub and a GitLab source, each with one secret: the test secret of the fixtures. */
export const TEST_SOURCES: Readonly<Record<string, SourceDefinition>> = {
  github: { provider: 'github', secrets: ['webhooks/github'] },
  gitlab: { provider: 'gitlab', secrets: ['webhooks/gitlab'] },
};

/**
 * What acceptWebhook works with, with no AWS: {@link TEST_SOURCES} and their secrets in memory,
 * a recording queue, logger and metrics, the default body limit, and a clock stopped at
 * RECEIVED_AT. Anything can be replaced; what is not replaced stays readable with its type.
 *
 * @example
 * const ingress = fakeIngressDependencies({ maxBodyBytes: 100 });
 * await acceptWebhook(apiGatewayEvent({ source: 'github', ...fixture('github/push.tag') }), ingress);
 * expect(ingress.queue.sent).toEqual([]);
 */
export function fakeIngressDependencies<Overrides extends Partial<IngressDependencies> = object>(
  overrides?: Overrides,
): WithOverrides<IngressFakes, Overrides> {
  const fakes: IngressFakes = {
    sources: TEST_SOURCES,
    secrets: new InMemorySecretStore({ 'webhooks/github': TEST_SECRET, 'webhooks/gitlab': TEST_SECRET }),
    queue: new RecordingQueue(),
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    now: () => RECEIVED_AT,
  };
  return withOverrides(fakes, overrides);
}
