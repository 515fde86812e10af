import type { ProviderName } from '../../lambda/events/CanonicalEvent';
import { InvalidSignatureError, MalformedBodyError, MissingSignatureError } from '../../lambda/providers/errors';
import { receiveWebhook } from '../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../lambda/providers/types';
import { TEST_SECRET, fixture, fixtureJson, signed, tampered, withHeaders } from './webhookFixtures';

/** One way a provider's sender proves that it knows the source's secret, on a real delivery. */
export interface AuthenticationCase {
  /** The provider, and the way when it has several: `azure-devops (token header)`. */
  name: string;
  provider: ProviderName;
  /** A delivery that carries the test secret. */
  request: () => WebhookRequest;
  options?: Record<string, unknown>;
  /** The headers (lower case) that carry the credential; removing all of them must give MissingSignatureError. */
  credentialHeaders: string[];
  /** Query parameters that carry the credential, removed too for the missing case. */
  credentialQuery?: string[];
  /** The same delivery as the provider would send it with another secret, its credential made for the request's body. */
  withSecret: (request: WebhookRequest, secret: string) => WebhookRequest;
  /** Whether the credential covers the body (an HMAC) or travels beside it (a token, Basic auth). */
  bindsBody: boolean;
  /** Credentials the delivery carries besides the source's secret (old Gitea's in the body): redaction must remove them too. */
  otherCredentials?: string[];
}

const SHA256_HUB = { header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' };
const SHA256_BITBUCKET = { header: 'x-hub-signature', algorithm: 'sha256', prefix: 'sha256=' };
const GITEA_SIGNATURE = { header: 'x-gitea-signature', algorithm: 'sha256' };
const JFROG_SIGNATURE = { header: 'x-jfrog-event-auth', algorithm: 'sha256' };
const NEXUS_SIGNATURE = { header: 'x-nexus-webhook-signature', algorithm: 'sha1' };

/** `Authorization: Basic` for these credentials. */
function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * Gitea's delivery as Forgejo sends it: there are no Forgejo bodies (PROVENANCE caveat 10), it
 * sends Gitea's with its own X-Forgejo-* copies of the Gitea headers added.
 */
export function forgejoDelivery(name: string): WebhookRequest {
  const request = fixture(name);
  return withHeaders(request, {
    'x-forgejo-delivery': request.headers['x-gitea-delivery'],
    'x-forgejo-event': request.headers['x-gitea-event'],
    'x-forgejo-event-type': request.headers['x-gitea-event-type'],
    'x-forgejo-signature': request.headers['x-gitea-signature'],
  });
}

/** The delivery with another body, every signature header recomputed with `secret` as Forgejo computes them. */
export function forgejoResigned(request: WebhookRequest, body: Buffer, secret: string): WebhookRequest {
  const forgejo = signed(request, body, secret, { header: 'x-forgejo-signature', algorithm: 'sha256' });
  return signed(signed(forgejo, body, secret, GITEA_SIGNATURE), body, secret, SHA256_HUB);
}

const inQuery = (name: string) => (request: WebhookRequest, secret: string) => ({ ...request, query: { ...request.query, [name]: secret } });
const inHeader = (name: string, prefix = '') => (request: WebhookRequest, secret: string) => withHeaders(request, { [name]: `${prefix}${secret}` });
const hmac = (scheme: Parameters<typeof signed>[3]) => (request: WebhookRequest, secret: string) => signed(request, request.body, secret, scheme);
const signedWith = (name: string, scheme: Parameters<typeof signed>[3]) => () => hmac(scheme)(fixture(name), TEST_SECRET);

/**
 * Every way of authenticating that the adapters accept, each on a real delivery: the adapters'
 * tests run them (describeCommonCases), and redaction is checked against all of them.
 */
export const AUTHENTICATION_CASES: readonly AuthenticationCase[] = [
  {
    name: 'github',
    provider: 'github',
    request: () => fixture('github/push.tag'),
    credentialHeaders: ['x-hub-signature-256', 'x-hub-signature'],
    withSecret: hmac(SHA256_HUB),
    bindsBody: true,
  },
  {
    name: 'github (legacy SHA-1 signature only)',
    provider: 'github',
    request: () => withHeaders(fixture('github/push.tag'), { 'x-hub-signature-256': undefined }),
    credentialHeaders: ['x-hub-signature-256', 'x-hub-signature'],
    withSecret: hmac({ header: 'x-hub-signature', algorithm: 'sha1', prefix: 'sha1=' }),
    bindsBody: true,
  },
  {
    name: 'gitlab',
    provider: 'gitlab',
    request: () => fixture('gitlab/push'),
    credentialHeaders: ['x-gitlab-token'],
    withSecret: inHeader('x-gitlab-token'),
    bindsBody: false,
  },
  {
    name: 'bitbucket-cloud',
    provider: 'bitbucket-cloud',
    request: () => fixture('bitbucket-cloud/repo_push.branch'),
    credentialHeaders: ['x-hub-signature'],
    withSecret: hmac(SHA256_BITBUCKET),
    bindsBody: true,
  },
  {
    name: 'bitbucket-server',
    provider: 'bitbucket-server',
    request: () => fixture('bitbucket-server/pr_opened'),
    credentialHeaders: ['x-hub-signature', 'authorization'],
    withSecret: hmac(SHA256_BITBUCKET),
    bindsBody: true,
  },
  {
    name: 'bitbucket-server (Basic)',
    provider: 'bitbucket-server',
    options: { username: 'ci' },
    request: () => withHeaders(fixture('bitbucket-server/pr_opened'), { 'x-hub-signature': undefined, authorization: basicAuthorization('ci', TEST_SECRET) }),
    credentialHeaders: ['x-hub-signature', 'authorization'],
    withSecret: (request, secret) => withHeaders(request, { authorization: basicAuthorization('ci', secret) }),
    bindsBody: false,
  },
  {
    name: 'gitea',
    provider: 'gitea',
    request: () => fixture('gitea/push'),
    credentialHeaders: ['x-gitea-signature', 'x-gogs-signature', 'x-hub-signature-256', 'x-hub-signature'],
    withSecret: (request, secret) => hmac(SHA256_HUB)(hmac(GITEA_SIGNATURE)(request, secret), secret),
    bindsBody: true,
  },
  {
    name: 'gitea (old server: the secret in the body too)',
    provider: 'gitea',
    request: () => fixture('gitea/push.docs'),
    credentialHeaders: ['x-gitea-signature', 'x-gogs-signature', 'x-hub-signature-256', 'x-hub-signature'],
    withSecret: (request, secret) => hmac(SHA256_HUB)(hmac(GITEA_SIGNATURE)(request, secret), secret),
    bindsBody: true,
    otherCredentials: [String(fixtureJson('gitea/push.docs').secret)],
  },
  {
    name: 'forgejo',
    provider: 'forgejo',
    request: () => forgejoDelivery('gitea/push'),
    credentialHeaders: ['x-forgejo-signature', 'x-gitea-signature', 'x-gogs-signature', 'x-hub-signature-256', 'x-hub-signature'],
    withSecret: (request, secret) => forgejoResigned(request, request.body, secret),
    bindsBody: true,
  },
  {
    name: 'gerrit (query)',
    provider: 'gerrit',
    request: () => fixture('gerrit/patchset-created', { token: TEST_SECRET }),
    credentialHeaders: ['x-relay-token'],
    credentialQuery: ['token'],
    withSecret: inQuery('token'),
    bindsBody: false,
  },
  {
    name: 'gerrit (header, as a proxy in front of Gerrit adds it)',
    provider: 'gerrit',
    request: () => withHeaders(fixture('gerrit/change-merged'), { 'x-relay-token': TEST_SECRET }),
    credentialHeaders: ['x-relay-token'],
    credentialQuery: ['token'],
    withSecret: inHeader('x-relay-token'),
    bindsBody: false,
  },
  {
    name: 'gerrit (renamed places)',
    provider: 'gerrit',
    options: { tokenHeader: 'X-Gerrit-Token', tokenQuery: 'key', serverUrl: 'https://review.example.com' },
    request: () => fixture('gerrit/ref-updated.branch-created', { key: TEST_SECRET }),
    credentialHeaders: ['x-gerrit-token'],
    credentialQuery: ['key'],
    withSecret: inQuery('key'),
    bindsBody: false,
  },
  {
    name: 'azure-devops (Basic)',
    provider: 'azure-devops',
    request: () => fixture('azure-devops/git.push'),
    credentialHeaders: ['authorization'],
    withSecret: (request, secret) => withHeaders(request, { authorization: basicAuthorization('relay', secret) }),
    bindsBody: false,
  },
  {
    name: 'azure-devops (token header)',
    provider: 'azure-devops',
    request: () => withHeaders(fixture('azure-devops/git.push'), { authorization: undefined, 'x-relay-token': TEST_SECRET }),
    options: { tokenHeader: 'X-Relay-Token' },
    credentialHeaders: ['x-relay-token'],
    withSecret: inHeader('x-relay-token'),
    bindsBody: false,
  },
  {
    name: 'dockerhub (query)',
    provider: 'dockerhub',
    request: () => fixture('dockerhub/push', { token: TEST_SECRET }),
    credentialHeaders: ['x-relay-token'],
    credentialQuery: ['token'],
    withSecret: inQuery('token'),
    bindsBody: false,
  },
  {
    name: 'dockerhub (header)',
    provider: 'dockerhub',
    request: () => withHeaders(fixture('dockerhub/push'), { 'x-relay-token': TEST_SECRET }),
    credentialHeaders: ['x-relay-token'],
    credentialQuery: ['token'],
    withSecret: inHeader('x-relay-token'),
    bindsBody: false,
  },
  {
    name: 'dockerhub (renamed places)',
    provider: 'dockerhub',
    options: { tokenHeader: 'X-Hook-Key', tokenQuery: 'key' },
    request: () => fixture('dockerhub/push', { key: TEST_SECRET }),
    credentialHeaders: ['x-hook-key'],
    credentialQuery: ['key'],
    withSecret: inQuery('key'),
    bindsBody: false,
  },
  {
    name: 'quay (query)',
    provider: 'quay',
    request: () => fixture('quay/repo_push', { token: TEST_SECRET }),
    credentialHeaders: ['x-relay-token'],
    credentialQuery: ['token'],
    withSecret: inQuery('token'),
    bindsBody: false,
  },
  {
    name: 'quay (renamed header)',
    provider: 'quay',
    options: { tokenHeader: 'X-Quay-Key' },
    request: () => withHeaders(fixture('quay/repo_push'), { 'x-quay-key': TEST_SECRET }),
    credentialHeaders: ['x-quay-key'],
    credentialQuery: ['token'],
    withSecret: inHeader('x-quay-key'),
    bindsBody: false,
  },
  {
    name: 'harbor (Bearer)',
    provider: 'harbor',
    request: () => fixture('harbor/PUSH_ARTIFACT'),
    credentialHeaders: ['authorization'],
    withSecret: inHeader('authorization', 'Bearer '),
    bindsBody: false,
  },
  {
    name: 'harbor (bare token)',
    provider: 'harbor',
    request: () => withHeaders(fixture('harbor/PUSH_ARTIFACT'), { authorization: TEST_SECRET }),
    credentialHeaders: ['authorization'],
    withSecret: inHeader('authorization'),
    bindsBody: false,
  },
  {
    name: 'jfrog-artifactory (secret token)',
    provider: 'jfrog-artifactory',
    request: () => fixture('jfrog-artifactory/docker.pushed'),
    credentialHeaders: ['x-jfrog-event-auth'],
    withSecret: inHeader('x-jfrog-event-auth'),
    bindsBody: false,
  },
  {
    name: 'jfrog-artifactory (signedPayload)',
    provider: 'jfrog-artifactory',
    options: { signedPayload: true },
    request: signedWith('jfrog-artifactory/docker.pushed', JFROG_SIGNATURE),
    credentialHeaders: ['x-jfrog-event-auth'],
    withSecret: hmac(JFROG_SIGNATURE),
    bindsBody: true,
  },
  {
    name: 'nexus',
    provider: 'nexus',
    request: () => fixture('nexus/repository.asset.created'),
    credentialHeaders: ['x-nexus-webhook-signature'],
    withSecret: hmac(NEXUS_SIGNATURE),
    bindsBody: true,
  },
  {
    name: 'aws-ecr (API key header)',
    provider: 'aws-ecr',
    request: () => fixture('aws-ecr/image-action.push'),
    credentialHeaders: ['x-api-key'],
    credentialQuery: ['token'],
    withSecret: inHeader('x-api-key'),
    bindsBody: false,
  },
  {
    name: 'aws-ecr (query)',
    provider: 'aws-ecr',
    request: () => withHeaders(fixture('aws-ecr/image-action.push', { token: TEST_SECRET }), { 'x-api-key': undefined }),
    credentialHeaders: ['x-api-key'],
    credentialQuery: ['token'],
    withSecret: inQuery('token'),
    bindsBody: false,
  },
  {
    name: 'generic (HMAC)',
    provider: 'generic',
    options: { signature: { header: 'X-Nexus-Webhook-Signature', algorithm: 'sha1' } },
    request: () => fixture('nexus/repository.asset.created'),
    credentialHeaders: ['x-nexus-webhook-signature'],
    withSecret: hmac(NEXUS_SIGNATURE),
    bindsBody: true,
  },
  {
    name: 'generic (token header)',
    provider: 'generic',
    options: { token: { header: 'X-Gitlab-Token' } },
    request: () => fixture('gitlab/push'),
    credentialHeaders: ['x-gitlab-token'],
    withSecret: inHeader('x-gitlab-token'),
    bindsBody: false,
  },
  {
    name: 'generic (token query)',
    provider: 'generic',
    options: { token: { header: 'X-Gitlab-Token', query: 'key' } },
    request: () => withHeaders(fixture('gitlab/push', { key: TEST_SECRET }), { 'x-gitlab-token': undefined }),
    credentialHeaders: ['x-gitlab-token'],
    credentialQuery: ['key'],
    withSecret: inQuery('key'),
    bindsBody: false,
  },
];

/**
 * Bodies no adapter reads, each with its message: the parse comes before any adapter sees the
 * body, so every provider refuses them alike, once the delivery is authenticated.
 */
const BAD_BODIES: readonly [what: string, body: string, message: string][] = [
  ['empty', '', 'the body is not valid JSON'],
  ['not JSON', '{"ref": "refs/heads/main",', 'the body is not valid JSON'],
  ['a JSON array', '[1, 2]', 'the body must be a JSON object'],
  ['JSON null', 'null', 'the body must be a JSON object'],
  ['a JSON string', '"push"', 'the body must be a JSON object'],
];

const NEW_SECRET = 'the-new-secret-after-rotation';

/**
 * The cases every adapter must pass, for each way its provider authenticates: the credential
 * checked against one or two secrets, missing, or made for another body; and the bodies that no
 * adapter reads, refused once authenticated.
 */
export function describeCommonCases(provider: ProviderName): void {
  const cases = AUTHENTICATION_CASES.filter((candidate) => candidate.provider === provider);
  if (cases.length === 0) throw new Error(`no authentication case for ${provider}: add one to test/support/authenticationCases.ts`);
  for (const authentication of cases) describeCase(authentication);
}

function describeCase(authentication: AuthenticationCase): void {
  const { name, provider, options } = authentication;
  const receive = (request: WebhookRequest, secrets: string[]) => receiveWebhook({ name: `${provider}-test`, provider, secrets, options }, request);

  describe(`${name}: authentication`, () => {
    it('accepts the delivery with the test secret', () => {
      expect(receive(authentication.request(), [TEST_SECRET]).events.length).toBeGreaterThan(0);
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
      const stripped = withHeaders(request, Object.fromEntries(authentication.credentialHeaders.map((header) => [header, undefined])));
      const query = { ...stripped.query };
      for (const parameter of authentication.credentialQuery ?? []) delete query[parameter];
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

  describe(`${name}: bodies no adapter reads`, () => {
    it.each(BAD_BODIES)('refuses a body that is %s, once authenticated', (_what, body, message) => {
      const request = authentication.withSecret({ ...authentication.request(), body: Buffer.from(body) }, TEST_SECRET);
      expect(() => receive(request, [TEST_SECRET])).toThrow(MalformedBodyError);
      expect(() => receive(request, [TEST_SECRET])).toThrow(message);
    });
  });
}

/**
 * The forms of the delivery's credentials that survive in `texts`: the secret as is, URL- and
 * form-encoded, JSON-escaped and base64-encoded; the Basic credentials the request carries, as
 * sent; and the case's other credentials. Empty when none does.
 */
export function credentialLeaks(texts: readonly string[], authentication: AuthenticationCase, request: WebhookRequest, secret = TEST_SECRET): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice('s='.length)]);
  forms.add(JSON.stringify(secret).slice(1, -1)).add(Buffer.from(secret).toString('base64'));
  for (const value of Object.values(request.headers)) {
    const basic = /^Basic\s+(\S+)/i.exec(value)?.[1];
    if (basic) forms.add(basic);
  }
  for (const other of authentication.otherCredentials ?? []) forms.add(other).add(encodeURIComponent(other));
  return [...forms].filter((form) => texts.some((text) => text.includes(form)));
}
