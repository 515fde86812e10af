import type { ProviderName } from '../../lambda/events/CanonicalEvent';
import { InvalidSignatureError, MissingSignatureError } from '../../lambda/providers/errors';
import { receiveWebhook } from '../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../lambda/providers/types';
import { TEST_SECRET, tampered, withHeaders } from './webhookFixtures';

export interface AuthenticationCase {
  provider: ProviderName;
  /** A delivery that carries the test secret. */
  request: () => WebhookRequest;
  options?: Record<string, unknown>;
  /** The headers (lower case) that carry the credential; removing all of them must give MissingSignatureError. */
  credentialHeaders: string[];
  /** Query parameters that carry the credential, removed too for the missing case. */
  credentialQuery?: string[];
  /** The same delivery as the provider would send it with another secret. */
  withSecret: (request: WebhookRequest, secret: string) => WebhookRequest;
  /** Whether the credential covers the body (an HMAC) or travels beside it (a token, Basic auth). */
  bindsBody: boolean;
}

const NEW_SECRET = 'the-new-secret-after-rotation';

/** The authentication cases every provider that authenticates must pass. */
export function describeAuthentication(description: string, authentication: AuthenticationCase): void {
  const { provider, options } = authentication;
  const receive = (request: WebhookRequest, secrets: string[]) =>
    receiveWebhook({ name: `${provider}-test`, provider, secrets, options }, request);

  describe(`${description}: authentication`, () => {
    it('accepts the delivery with the test secret', () => {
      expect(receive(authentication.request(), [TEST_SECRET]).length).toBeGreaterThan(0);
    });

    it('accepts both the new and the old secret during a rotation', () => {
      const rotated = authentication.withSecret(authentication.request(), NEW_SECRET);
      expect(() => receive(rotated, [NEW_SECRET, TEST_SECRET])).not.toThrow();
      expect(() => receive(authentication.request(), [NEW_SECRET, TEST_SECRET])).not.toThrow();
      expect(() => receive(rotated, [TEST_SECRET])).toThrow(InvalidSignatureError);
    });

    it('refuses a wrong secret, without naming either', () => {
      let thrown: unknown;
      try {
        receive(authentication.request(), ['a-wrong-secret']);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidSignatureError);
      expect(String((thrown as Error).message)).not.toContain(TEST_SECRET);
      expect(String((thrown as Error).message)).not.toContain('a-wrong-secret');
    });

    it('refuses a delivery without its credential', () => {
      const request = authentication.request();
      const stripped = withHeaders(request, Object.fromEntries(authentication.credentialHeaders.map((name) => [name, undefined])));
      const query = { ...stripped.query };
      for (const name of authentication.credentialQuery ?? []) delete query[name];
      expect(() => receive({ ...stripped, query }, [TEST_SECRET])).toThrow(MissingSignatureError);
    });

    if (authentication.bindsBody) {
      it('refuses a tampered body', () => {
        expect(() => receive(tampered(authentication.request()), [TEST_SECRET])).toThrow(InvalidSignatureError);
      });
    } else {
      it('does not bind the body: a token proves the sender, TLS protects the body', () => {
        expect(() => receive(tampered(authentication.request()), [TEST_SECRET])).not.toThrow(InvalidSignatureError);
      });
    }
  });
}
