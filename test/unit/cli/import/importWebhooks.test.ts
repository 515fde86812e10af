import { importWebhooks } from '../../../../cli/import/importWebhooks';
import type { NativeWebhook } from '../../../../cli/import/nativeWebhook';

const push = (fields: NativeWebhook): NativeWebhook => ({ pipeline: 'build', eventCategory: 'PUSH', serverType: 'GITHUB', repoName: 'acme/app', branchName: 'main', ...fields });

describe('importWebhooks', () => {
  it('one named rule per webhook, by project and name, Git first, each on its source and with its origin', () => {
    const { sources, rules, report } = importWebhooks(
      [push({ id: 'g2', project: 'web', name: 'build' }), push({ id: 'g1', project: 'api', name: 'build', delayTimeInMins: 1 })],
      [{ id: 'r1', project: 'api', name: 'images', pipeline: 'deploy', serverType: 'DockerHub', repoName: 'acme/app' }],
    );
    expect(sources.map((source) => source.name)).toEqual(['github', 'dockerhub']);
    expect(rules).toEqual([
      {
        definition: {
          name: 'build',
          when: { sources: ['github'], events: ['push'], repositories: ['acme/app'], branches: ['main'] },
          pipeline: { project: 'api', name: 'build' },
          quietPeriod: { minutes: 1 },
        },
        comment: 'imported from Code Stream git webhook api/build (id g1)',
      },
      {
        definition: {
          name: 'web-build',
          when: { sources: ['github'], events: ['push'], repositories: ['acme/app'], branches: ['main'] },
          pipeline: { project: 'web', name: 'build' },
        },
        comment: 'imported from Code Stream git webhook web/build (id g2)',
      },
      {
        definition: { name: 'images', when: { sources: ['dockerhub'], events: ['artifact_push'], images: ['acme/app'] }, pipeline: { project: 'api', name: 'deploy' } },
        comment: 'imported from Code Stream registry webhook api/images (id r1)',
      },
    ]);
    expect(report.imported).toEqual([
      { origin: 'Code Stream git webhook api/build (id g1)', rule: 'build', source: 'github' },
      { origin: 'Code Stream git webhook web/build (id g2)', rule: 'web-build', source: 'github' },
      { origin: 'Code Stream registry webhook api/images (id r1)', rule: 'images', source: 'dockerhub' },
    ]);
    expect(report.skipped).toEqual([]);
    expect(report.notes.every((note) => note.startsWith('source '))).toBe(true);
  });

  it('reports what it skips and, before the next steps, each webhook’s notes with its origin', () => {
    const { rules, report } = importWebhooks(
      [push({ id: 'g1', project: 'demo', name: 'a', branchName: '' }), push({ id: 'g2', project: 'demo', name: 'b', serverType: 'CODECOMMIT' })],
      [],
    );
    expect(rules.map((rule) => rule.definition.name)).toEqual(['a']);
    expect(report.skipped).toEqual([{ origin: 'Code Stream git webhook demo/b (id g2)', reason: expect.stringMatching(/^server type "CODECOMMIT"/) }]);
    expect(report.notes[0]).toMatch(/^Code Stream git webhook demo\/a \(id g1\): it names no branch/);
    expect(report.notes.slice(1).every((note) => note.startsWith('source github: '))).toBe(true);
  });

  it('counts a webhook listed twice (the list changed between pages) once', () => {
    const webhook = push({ id: 'g1', project: 'demo', name: 'a' });
    expect(importWebhooks([webhook, { ...webhook }], []).rules).toHaveLength(1);
  });

  it('imports nothing from nothing', () => {
    expect(importWebhooks([], [])).toEqual({ sources: [], rules: [], report: { imported: [], skipped: [], notes: [] } });
  });
});
