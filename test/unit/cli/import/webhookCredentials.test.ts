import { WebhookCredentials, isCredentialField } from '../../../../cli/import/webhookCredentials';

describe('isCredentialField', () => {
  it.each(['secretToken', 'refreshToken', 'GITHUB_TOKEN', 'clientSecret', 'password', 'DB_PASSWD', 'apiKey', 'api_key', 'privateKey', 'credentials'])('%s is a credential', (name) => {
    expect(isCredentialField(name)).toBe(true);
  });

  it.each(['repoName', 'branchName', 'serverWebhookId', 'GIT_BRANCH_NAME', 'keyboard'])('%s is not', (name) => {
    expect(isCredentialField(name)).toBe(false);
  });
});

describe('WebhookCredentials', () => {
  it('collects credential-named strings at any depth, and redacts each wherever it appears', () => {
    const credentials = new WebhookCredentials();
    credentials.collect({ secretToken: 'tok-1', name: 'a', input: { DEPLOY_TOKEN: 'tok-2', PLAIN: 'visible' }, nested: [{ password: 'pw' }], refreshToken: '' });
    expect(credentials.appearsIn('a tok-1 b')).toBe(true);
    expect(credentials.appearsIn('visible a')).toBe(false);
    expect(credentials.redact('x tok-1 y tok-2 z pw visible')).toBe('x [redacted] y [redacted] z [redacted] visible');
  });

  it('redacts the longest first, so that no part of a longer credential is left', () => {
    const credentials = new WebhookCredentials();
    credentials.collect({ secretToken: 'abc' });
    credentials.collect({ secretToken: 'abcdef' });
    expect(credentials.redact('abcdef abc')).toBe('[redacted] [redacted]');
  });
});
