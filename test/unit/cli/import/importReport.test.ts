import { formatReport, nothingImported, redactedReport } from '../../../../cli/import/importReport';

const REPORT = {
  imported: [
    { origin: 'Code Stream git webhook demo/a (id 1)', rule: 'a', source: 'github' },
    { origin: 'Code Stream git webhook demo/b (id 2)', rule: 'b', source: 'github' },
  ],
  skipped: [{ origin: 'Code Stream registry webhook demo/c (id 3)', reason: 'registry type "DTR": the relay has no provider for it' }],
  notes: ['Code Stream git webhook demo/a (id 1): it names no branch', 'source github: create the Secrets Manager secret webhooks/github'],
};

describe('formatReport', () => {
  it('counts, then what was not carried over and why, then the notes and next steps', () => {
    expect(formatReport(REPORT, 'the config is written to out.yaml')).toBe(
      [
        'relay import: 2 of 3 Code Stream webhooks imported as rules, on 1 source; the config is written to out.yaml',
        'not carried over:',
        '  - Code Stream registry webhook demo/c (id 3): registry type "DTR": the relay has no provider for it',
        'notes and next steps:',
        '  - Code Stream git webhook demo/a (id 1): it names no branch',
        '  - source github: create the Secrets Manager secret webhooks/github',
        '',
      ].join('\n'),
    );
  });

  it('leaves out empty sections', () => {
    expect(formatReport({ imported: REPORT.imported, skipped: [], notes: [] }, 'the config is on stdout')).toBe(
      'relay import: 2 of 2 Code Stream webhooks imported as rules, on 1 source; the config is on stdout\n',
    );
  });
});

describe('nothingImported', () => {
  it('lists every webhook and why, or says there were none', () => {
    expect(nothingImported({ ...REPORT, imported: [] }, 'https://vra.example.com')).toBe(
      'none of the 1 Code Stream webhooks at https://vra.example.com could be imported:\n  - Code Stream registry webhook demo/c (id 3): registry type "DTR": the relay has no provider for it',
    );
    expect(nothingImported({ imported: [], skipped: [], notes: [] }, 'https://vra.example.com')).toBe('Code Stream at https://vra.example.com has no Git or registry webhooks to import');
  });
});

describe('redactedReport', () => {
  it('applies the redaction to every text from Code Stream', () => {
    const redact = (text: string) => text.replace(/demo/g, '[redacted]');
    expect(redactedReport(REPORT, redact)).toEqual({
      imported: [
        { origin: 'Code Stream git webhook [redacted]/a (id 1)', rule: 'a', source: 'github' },
        { origin: 'Code Stream git webhook [redacted]/b (id 2)', rule: 'b', source: 'github' },
      ],
      skipped: [{ origin: 'Code Stream registry webhook [redacted]/c (id 3)', reason: 'registry type "DTR": the relay has no provider for it' }],
      notes: ['Code Stream git webhook [redacted]/a (id 1): it names no branch', 'source github: create the Secrets Manager secret webhooks/github'],
    });
  });
});
