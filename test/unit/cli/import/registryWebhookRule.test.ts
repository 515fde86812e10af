import type { MappedWebhook, NativeWebhook } from '../../../../cli/import/nativeWebhook';
import { registryWebhookRule } from '../../../../cli/import/registryWebhookRule';

const DOCKER_HUB: NativeWebhook = {
  id: '7e1a3c5b-4d6f-4a8e-b2c0-9d1e3f5a7b66',
  name: 'testhook-releases',
  project: 'demo',
  pipeline: 'deploy-image',
  description: 'Deploys release tags',
  enabled: true,
  endpoint: 'DockerHub',
  serverType: 'DockerHub',
  repoName: 'svendowideit/testhook',
  imageNameRegExPattern: 'svendowideit/testhook',
  tagNamePattern: '^v?[0-9]+\\.[0-9]+\\.[0-9]+$',
  input: { DOCKER_IMAGE_TAG: '', TARGET: 'staging' },
  slug: 'testhook-releases',
  _link: '/codestream/api/registry-webhooks/7e1a3c5b-4d6f-4a8e-b2c0-9d1e3f5a7b66',
};

function mapped(webhook: NativeWebhook): MappedWebhook {
  const mapping = registryWebhookRule(webhook);
  if (!('mapped' in mapping)) throw new Error(`skipped: ${mapping.skipped.reason}`);
  return mapping.mapped;
}

function skipped(webhook: NativeWebhook): string {
  const mapping = registryWebhookRule(webhook);
  if (!('skipped' in mapping)) throw new Error('imported');
  return mapping.skipped.reason;
}

describe('registryWebhookRule', () => {
  it('maps a Docker Hub webhook field by field: image pushes of that repository with matching tags', () => {
    const { origin, server, rule, notes, watches } = mapped(DOCKER_HUB);
    expect(origin.text).toBe('Code Stream registry webhook demo/testhook-releases (id 7e1a3c5b-4d6f-4a8e-b2c0-9d1e3f5a7b66)');
    expect(server).toEqual({ provider: 'dockerhub', name: 'dockerhub', qualifier: undefined, description: 'Docker Hub', serverType: 'DockerHub' });
    expect(rule).toEqual({
      description: 'Deploys release tags',
      when: { events: ['artifact_push'], images: ['svendowideit/testhook'], imageTags: ['/^v?[0-9]+\\.[0-9]+\\.[0-9]+$/'] },
      pipeline: { project: 'demo', name: 'deploy-image' },
      input: { TARGET: 'staging' },
    });
    expect(notes).toEqual(["input DOCKER_IMAGE_TAG left out: empty in Code Stream, and the relay fills it from the event as Code Stream's trigger does"]);
    expect(watches).toBe('svendowideit/testhook');
  });

  it('a repoName without a slash is the namespace (a Harbor project), and the image pattern a regular expression; one source per registry endpoint', () => {
    const { server, rule, notes } = mapped({
      ...DOCKER_HUB,
      serverType: 'Harbor',
      endpoint: 'Harbor-Prod',
      repoName: 'library',
      imageNameRegExPattern: 'library/web-',
      tagNamePattern: 'release',
      input: undefined,
    });
    expect(server).toEqual({ provider: 'harbor', name: 'harbor', qualifier: 'Harbor-Prod', description: 'Harbor, registry endpoint "Harbor-Prod"', serverType: 'Harbor' });
    expect(rule.when).toEqual({ events: ['artifact_push'], namespaces: ['library'], images: ['/library/web-/'], imageTags: ['/release/'] });
    expect(notes).toEqual([
      'imageNameRegExPattern "library/web-", tagNamePattern "release": carried over as written, and the relay finds a regular expression anywhere in the value; if Code Stream matched it against the whole value, add ^ and $',
    ]);
  });

  it.each([
    ['JFrog Artifactory', 'jfrog-artifactory'],
    ['Quay', 'quay'],
    ['Nexus', 'nexus'],
    ['AWS_ECR', 'aws-ecr'],
  ])('registry type %s is provider %s', (serverType, provider) => {
    expect(mapped({ ...DOCKER_HUB, serverType }).server.provider).toBe(provider);
  });

  it('without repository or image, the rule matches every image pushed, and says so', () => {
    const { rule, notes } = mapped({ ...DOCKER_HUB, repoName: undefined, imageNameRegExPattern: '', tagNamePattern: undefined, input: undefined });
    expect(rule.when).toEqual({ events: ['artifact_push'] });
    expect(notes).toEqual(['it names no repository or image: the rule matches every image pushed to its source']);
  });

  it.each([
    ['an unsupported registry type', { serverType: 'Docker_Trusted_Registry' }, /^registry type "Docker_Trusted_Registry": the relay has no provider for it \(its registry providers: dockerhub, harbor, jfrog-artifactory, nexus, quay, aws-ecr\)$/],
    ['disabled', { enabled: false }, /^disabled in Code Stream/],
    ['an image pattern RE2 cannot run', { repoName: 'library', imageNameRegExPattern: '^library/(?!test-).+' }, /^imageNameRegExPattern cannot be a pattern of the relay: invalid regular expression .*lookahead/],
    ['a tag pattern RE2 cannot run', { tagNamePattern: 'v(\\d)\\1' }, /^tagNamePattern cannot be a pattern of the relay: .*backreference/],
    ['an image pattern its repository never matches', { imageNameRegExPattern: '^other/' }, /^its imageNameRegExPattern "\^other\/" does not match its repository svendowideit\/testhook, so it could never run its pipeline$/],
    ['no pipeline', { pipeline: '' }, /^it names no pipeline$/],
  ])('skips a webhook with %s, saying why', (_label, changes, reason) => {
    expect(skipped({ ...DOCKER_HUB, ...changes })).toMatch(reason);
  });

  it('notes the webhook’s own API token and unknown fields, never their values', () => {
    const { notes } = mapped({ ...DOCKER_HUB, input: undefined, refreshToken: 'rt-VALUE', delayTimeInMins: 3 });
    expect(notes).toEqual([
      expect.stringMatching(/^it ran its pipeline with a Code Stream API token of its own \(refreshToken, not printed\)/),
      "not carried over: delayTimeInMins, which the swagger's DockerRegistryWebHook does not define",
    ]);
  });
});
