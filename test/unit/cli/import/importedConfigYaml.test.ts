import { Document, parseDocument } from 'yaml';
import { importedConfigYaml } from '../../../../cli/import/importedConfigYaml';
import { importWebhooks } from '../../../../cli/import/importWebhooks';
import { parseConfig } from '../../../../lambda/config/loadConfig';

const CODESTREAM = new Document({ url: 'https://vra.example.com', auth: 'refreshToken', secret: 'codestream/relay' }).contents;

const imported = importWebhooks(
  [
    {
      id: 'g1',
      project: 'demo',
      name: 'build on push',
      pipeline: 'build',
      eventCategory: 'PUSH',
      serverType: 'GITHUB',
      repoName: 'acme/app',
      branchName: 'main',
      inclusions: [{ type: 'PLAIN', value: 'README.md' }],
      input: { NOTE: '#not a comment: ${x}' },
      delayTimeInMins: 2,
    },
  ],
  [{ id: 'r1', project: 'demo', name: 'images', pipeline: 'deploy', serverType: 'DockerHub', tagNamePattern: '^v[0-9]+$' }],
);

describe('importedConfigYaml', () => {
  const text = importedConfigYaml(CODESTREAM as never, imported, ' Imported by relay import.\n Second line.');

  it('is a config that passes the relay’s checks, with the values as mapped', () => {
    const { config } = parseConfig(text, 'imported.yaml');
    expect(config.sources).toEqual({
      github: { provider: 'github', secrets: ['webhooks/github'] },
      dockerhub: { provider: 'dockerhub', secrets: ['webhooks/dockerhub'] },
    });
    expect(config.rules).toEqual(imported.rules.map((rule) => rule.definition));
    expect(config.rules[0]?.input).toEqual({ NOTE: '#not a comment: $${x}' });
    expect(config.rules[0]?.quietPeriod).toEqual({ minutes: 2 });
  });

  it('puts the header, each source’s and each rule’s comment above it', () => {
    const document = parseDocument(text);
    expect(document.commentBefore).toBe(' Imported by relay import.\n Second line.');
    expect(text).toContain('# GitHub (server type GITHUB): replaces 1 Code Stream git webhook\n  github:\n');
    expect(text).toContain('  # imported from Code Stream registry webhook demo/images (id r1)\n  - name: images\n');
    expect(text).toMatch(/\n {2}# imported from Code Stream git webhook demo\/build on push \(id g1\)\n {2}- name: build-on-push\n/);
  });

  it('writes lists, pipelines and quiet periods inline, as the example config does', () => {
    expect(text).toContain('    secrets: [webhooks/github]\n');
    expect(text).toContain('      events: [push]\n');
    expect(text).toContain('    pipeline: {project: demo, name: build}\n');
    expect(text).toContain('    quietPeriod: {minutes: 2}\n');
    expect(text).toContain('        include: [/^README\\.md$/]\n');
  });
});
