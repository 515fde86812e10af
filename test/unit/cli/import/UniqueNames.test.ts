import { UniqueNames, asName } from '../../../../cli/import/UniqueNames';

describe('asName', () => {
  it('makes any text a valid name', () => {
    expect(asName('build-on-push')).toBe('build-on-push');
    expect(asName('Build on push (main)')).toBe('Build-on-push-main');
    expect(asName('__hidden')).toBe('hidden');
    expect(asName('déploiement/prod')).toBe('d-ploiement-prod');
    expect(asName('!!!')).toBe('');
  });
});

describe('UniqueNames', () => {
  it('hands out the first free valid candidate, then numbers', () => {
    const names = new UniqueNames();
    expect(names.claim(['build', 'demo-build'], 'rule')).toBe('build');
    expect(names.claim(['build', 'other-build'], 'rule')).toBe('other-build');
    expect(names.claim(['build', 'other-build'], 'rule')).toBe('build-2');
    expect(names.claim(['build'], 'rule')).toBe('build-3');
  });

  it('falls back when no candidate can be a name', () => {
    const names = new UniqueNames();
    expect(names.claim(['***'], 'git-webhook')).toBe('git-webhook');
    expect(names.claim([''], 'git-webhook')).toBe('git-webhook-2');
  });
});
