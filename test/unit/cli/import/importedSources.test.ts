import { gitWebhookRule } from '../../../../cli/import/gitWebhookRule';
import { importedSources } from '../../../../cli/import/importedSources';
import type { MappedWebhook, NativeWebhook } from '../../../../cli/import/nativeWebhook';
import { registryWebhookRule } from '../../../../cli/import/registryWebhookRule';

const git = (fields: NativeWebhook): MappedWebhook => {
  const mapping = gitWebhookRule({ project: 'demo', pipeline: 'build', eventCategory: 'PUSH', branchName: 'main', serverType: 'GITHUB', ...fields });
  if (!('mapped' in mapping)) throw new Error(mapping.skipped.reason);
  return mapping.mapped;
};
const registry = (fields: NativeWebhook): MappedWebhook => {
  const mapping = registryWebhookRule({ project: 'demo', pipeline: 'deploy', ...fields });
  if (!('mapped' in mapping)) throw new Error(mapping.skipped.reason);
  return mapping.mapped;
};

describe('importedSources', () => {
  it('one source per server, named after its kind, with one secret, and each webhook on its own server’s', () => {
    const a = git({ id: '1', name: 'a', repoName: 'acme/a', secretToken: 'same', serverWebhookId: '11' });
    const b = git({ id: '2', name: 'b', repoName: 'acme/b', secretToken: 'same', serverWebhookId: '22' });
    const c = git({ id: '3', name: 'c', serverType: 'GITLAB', repoName: 'group/c' });
    const plan = importedSources([a, b, c]);
    expect(plan.sources).toEqual([
      { name: 'github', definition: { provider: 'github', secrets: ['webhooks/github'] }, comment: 'GitHub (server type GITHUB): replaces 2 Code Stream git webhooks' },
      { name: 'gitlab', definition: { provider: 'gitlab', secrets: ['webhooks/gitlab'] }, comment: 'GitLab (server type GITLAB): replaces 1 Code Stream git webhook' },
    ]);
    expect([a, b, c].map(plan.sourceOf)).toEqual(['github', 'github', 'gitlab']);
    expect(plan.nextSteps).toEqual([
      'source github: create the Secrets Manager secret webhooks/github (plain text) holding the secret token of the Code Stream webhooks it replaces (GET /codestream/api/git-webhooks/{id} serves it as secretToken; relay import prints no token)',
      "source github: on GitHub, add a webhook to acme/a, acme/b with the relay's URL …/hooks/github (stack output WebhookUrlgithub) and that secret (docs/deploy.md §11)",
      "source github: once the relay's webhooks deliver, delete the Code Stream webhooks it replaces (demo/a, demo/b); Code Stream then deletes the webhooks it made on the Git server (ids 11, 22), and until then an event starts the pipeline twice",
      'source gitlab: create the Secrets Manager secret webhooks/gitlab (plain text) holding a new random value (openssl rand -hex 32): the Code Stream webhooks it replaces had no secret token',
      "source gitlab: on GitLab, add a webhook to group/c with the relay's URL …/hooks/gitlab (stack output WebhookUrlgitlab) and that secret (docs/deploy.md §11)",
      "source gitlab: once the relay's webhooks deliver, delete the Code Stream webhooks it replaces (demo/c); Code Stream then deletes the webhooks it made on the Git server, and until then an event starts the pipeline twice",
    ]);
    expect(JSON.stringify(plan)).not.toContain('same');
  });

  it('a Gerrit source takes the server URL, and its webhook is a remote of the webhooks plugin with the token in its URL', () => {
    const plan = importedSources([git({ id: '1', name: 'a', serverType: 'GERRIT', repoName: 'https://review.example.com/platform/core', secretToken: 't' })]);
    expect(plan.sources.map(({ name, definition }) => ({ name, definition }))).toEqual([
      { name: 'gerrit', definition: { provider: 'gerrit', secrets: ['webhooks/gerrit'], options: { serverUrl: 'https://review.example.com' } } },
    ]);
    expect(plan.nextSteps[1]).toBe(
      "source gerrit: on Gerrit, add a remote to the webhooks plugin's webhooks.config of platform/core whose url is the relay's URL …/hooks/gerrit (stack output WebhookUrlgerrit) with ?token= and that secret, which the plugin can send no other way (docs/providers.md, Gerrit)",
    );
  });

  it('says which token to use when the webhooks of one source have different ones', () => {
    const plan = importedSources([git({ id: '1', name: 'a', secretToken: 'one' }), git({ id: '2', name: 'b', secretToken: 'two' }), git({ id: '3', name: 'c' })]);
    expect(plan.nextSteps[0]).toBe(
      'source github: create the Secrets Manager secret webhooks/github (plain text) holding the secret token of Code Stream git webhook demo/a (id 1) (GET /codestream/api/git-webhooks/{id} serves it as secretToken; relay import prints no token): the 3 webhooks it replaces have 3 different tokens (or none), and a source takes one (two while rotating), so set that one on each of its webhooks',
    );
  });

  it('names servers of one kind after their host or endpoint, and gives bitbucket-server the serverUrl a URL showed', () => {
    const plan = importedSources([
      git({ id: '1', name: 'a', serverType: 'BITBUCKET_SERVER', repoName: 'https://bitbucket.one.example/scm/prj/a.git' }),
      git({ id: '2', name: 'b', serverType: 'BITBUCKET_SERVER', repoName: 'https://bitbucket.two.example/scm/prj/b.git' }),
      registry({ id: '3', name: 'h1', serverType: 'Harbor', endpoint: 'Harbor Prod', repoName: 'library' }),
      registry({ id: '4', name: 'h2', serverType: 'Harbor', endpoint: 'Harbor-Dev', repoName: 'library' }),
      registry({ id: '5', name: 'hub', serverType: 'DockerHub', endpoint: 'Docker Hub (team)', repoName: 'acme/web' }),
    ]);
    expect(plan.sources.map(({ name, definition }) => ({ name, ...definition }))).toEqual([
      { name: 'bitbucket-server-bitbucket.one.example', provider: 'bitbucket-server', secrets: ['webhooks/bitbucket-server-bitbucket.one.example'], options: { serverUrl: 'https://bitbucket.one.example' } },
      { name: 'bitbucket-server-bitbucket.two.example', provider: 'bitbucket-server', secrets: ['webhooks/bitbucket-server-bitbucket.two.example'], options: { serverUrl: 'https://bitbucket.two.example' } },
      { name: 'harbor-harbor-prod', provider: 'harbor', secrets: ['webhooks/harbor-harbor-prod'] },
      { name: 'harbor-harbor-dev', provider: 'harbor', secrets: ['webhooks/harbor-harbor-dev'] },
      { name: 'dockerhub', provider: 'dockerhub', secrets: ['webhooks/dockerhub'] },
    ]);
    expect(plan.nextSteps).toContain(
      "source harbor-harbor-prod: on Harbor, registry endpoint \"Harbor Prod\", point the webhook for library at the relay's URL …/hooks/harbor-harbor-prod (stack output WebhookUrlharborharborprod) instead of Code Stream's, with that secret where docs/deploy.md §11 says for harbor",
    );
    expect(plan.nextSteps).toContain('source dockerhub: then delete the Code Stream webhooks it replaces (demo/hub), which receive nothing any more');
  });

  it('asks for bitbucket-server’s serverUrl when no webhook gave it', () => {
    const plan = importedSources([git({ id: '1', name: 'a', serverType: 'BITBUCKET_SERVER', repoName: 'PRJ/a' })]);
    expect(plan.sources[0]?.definition).toEqual({ provider: 'bitbucket-server', secrets: ['webhooks/bitbucket-server'] });
    expect(plan.nextSteps).toContain(
      'source bitbucket-server: set options.serverUrl to the server\'s base URL, which no webhook gave, so that the webhook\'s "Test connection" works (docs/deploy.md §11)',
    );
  });
});
