import { gitServer, repositoryLocation } from '../../../../cli/import/gitServer';

describe('repositoryLocation', () => {
  it('takes a full name as it is', () => {
    expect(repositoryLocation('Codertocat/Hello-World')).toEqual({ fullName: 'Codertocat/Hello-World' });
    expect(repositoryLocation('group/sub/project')).toEqual({ fullName: 'group/sub/project' });
    expect(repositoryLocation(undefined)).toEqual({});
    expect(repositoryLocation('')).toEqual({});
  });

  it('reads the host, base URL and full name of a repository URL', () => {
    expect(repositoryLocation('https://github.com/Codertocat/Hello-World.git')).toEqual({
      host: 'github.com',
      serverUrl: 'https://github.com',
      fullName: 'Codertocat/Hello-World',
    });
    expect(repositoryLocation('https://Bitbucket.Example.com:8443/scm/prj/repo.git')).toEqual({
      host: 'bitbucket.example.com',
      serverUrl: 'https://bitbucket.example.com:8443',
      fullName: 'prj/repo',
    });
    expect(repositoryLocation('https://bitbucket.example.com/projects/PRJ/repos/repo/browse')).toMatchObject({ fullName: 'PRJ/repo' });
    expect(repositoryLocation('https://gitlab.example.com/group/sub/project/-/tree/main')).toMatchObject({ fullName: 'group/sub/project' });
  });

  it('reads SSH forms, whose base URL is not the web one', () => {
    expect(repositoryLocation('git@github.com:owner/repo.git')).toEqual({ host: 'github.com', fullName: 'owner/repo' });
    expect(repositoryLocation('ssh://git@bitbucket.example.com:7999/prj/repo.git')).toEqual({ host: 'bitbucket.example.com', serverUrl: undefined, fullName: 'prj/repo' });
  });
});

describe('gitServer', () => {
  it.each([
    ['GITHUB', 'github', 'github'],
    ['GitHub', 'github', 'github'],
    ['GITHUB_ENTERPRISE', 'github', 'github-enterprise'],
    ['GITLAB', 'gitlab', 'gitlab'],
    ['GitLab Enterprise', 'gitlab', 'gitlab-self-managed'],
    ['BITBUCKET_CLOUD', 'bitbucket-cloud', 'bitbucket-cloud'],
    ['BITBUCKET_SERVER', 'bitbucket-server', 'bitbucket-server'],
    ['Bitbucket Enterprise', 'bitbucket-server', 'bitbucket-server'],
    ['BitBucket Data Center', 'bitbucket-server', 'bitbucket-server'],
  ])('server type %s is provider %s, source %s', (serverType, provider, name) => {
    const server = gitServer(serverType, {});
    expect(server).toEqual({ key: { provider, name, qualifier: undefined, description: expect.any(String), serverType, serverUrl: undefined } });
  });

  it('tells the hosted service from a company server by the repository URL’s host', () => {
    expect(gitServer('GITHUB', repositoryLocation('https://github.example.com/acme/api.git'))).toEqual({
      key: { provider: 'github', name: 'github-enterprise', qualifier: 'github.example.com', description: 'GitHub Enterprise Server at github.example.com', serverType: 'GITHUB', serverUrl: undefined },
    });
    expect(gitServer('BITBUCKET', repositoryLocation('https://bitbucket.org/team/repo.git'))).toMatchObject({ key: { provider: 'bitbucket-cloud', name: 'bitbucket-cloud' } });
    expect(gitServer('BITBUCKET', repositoryLocation('https://bitbucket.example.com/scm/prj/repo.git'))).toEqual({
      key: {
        provider: 'bitbucket-server',
        name: 'bitbucket-server',
        qualifier: 'bitbucket.example.com',
        description: 'Bitbucket Data Center at bitbucket.example.com',
        serverType: 'BITBUCKET',
        serverUrl: 'https://bitbucket.example.com',
      },
    });
    expect(gitServer(undefined, repositoryLocation('https://gitlab.com/group/project'))).toMatchObject({ key: { provider: 'gitlab', name: 'gitlab' } });
  });

  it('takes a bare BITBUCKET for Data Center, and says it guessed', () => {
    const server = gitServer('BITBUCKET', { fullName: 'PRJ/repo' });
    expect(server).toMatchObject({ key: { provider: 'bitbucket-server' }, ambiguous: expect.stringContaining('make the source\'s provider bitbucket-cloud if the repository is on bitbucket.org') });
  });

  it('maps GERRIT to the gerrit provider, with the server URL where repoName is one', () => {
    expect(gitServer('GERRIT', repositoryLocation('https://review.example.com/platform/core'))).toEqual({
      key: { provider: 'gerrit', name: 'gerrit', qualifier: 'review.example.com', description: 'Gerrit at review.example.com', serverType: 'GERRIT', serverUrl: 'https://review.example.com' },
    });
    expect(gitServer('Gerrit', { fullName: 'platform/core' })).toMatchObject({ key: { provider: 'gerrit', serverUrl: undefined } });
  });

  it('names what the relay has no provider for', () => {
    expect(gitServer('CODECOMMIT', {})).toEqual({
      unsupported: 'server type "CODECOMMIT": the relay has no provider for it (its Git providers: github, gitlab, bitbucket-cloud, bitbucket-server, gitea, forgejo, azure-devops, gerrit)',
    });
    expect(gitServer(undefined, { fullName: 'a/b' })).toEqual({ unsupported: expect.stringMatching(/^no serverType: the relay has no provider/) });
  });
});
