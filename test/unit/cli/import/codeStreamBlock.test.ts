import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Document } from 'yaml';
import { codeStreamBlock } from '../../../../cli/import/codeStreamBlock';

const SETTINGS = { url: 'https://vra.example.com', auth: 'refreshToken' as const, secret: 'codestream/relay' };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

function written(text: string, name = 'relay.config.yaml'): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'relay-import-'));
  mkdirSync(path.join(directory, 'config'));
  const file = path.join(directory, 'config', name);
  writeFileSync(file, text);
  return file;
}

const asYaml = (node: ReturnType<typeof codeStreamBlock>) => new Document({ codestream: node }).toString();

describe('codeStreamBlock', () => {
  it('is the block as written: comments and quoting kept', () => {
    const file = written('codestream:\n  url: https://vra.example.com  # the appliance\n  auth: refreshToken\n  secret: codestream/relay\n  apiVersion: "2019-10-17"\nsources: {}\nrules: []\n');
    expect(asYaml(codeStreamBlock(file, path.join(path.dirname(file), 'out.yaml'), SETTINGS))).toBe(
      'codestream:\n  url: https://vra.example.com # the appliance\n  auth: refreshToken\n  secret: codestream/relay\n  apiVersion: "2019-10-17"\n',
    );
  });

  it('makes CA certificate paths relative to the output; inline PEM stays as it is', () => {
    const file = written(`codestream:\n  url: https://vra.example.com\n  auth: refreshToken\n  secret: s\n  caCertificates: [certs/ca.pem, ${JSON.stringify(PEM)}]\nsources: {}\nrules: []\n`);
    const root = path.dirname(path.dirname(file));
    const block = codeStreamBlock(file, path.join(root, 'out', 'imported.yaml'), SETTINGS);
    expect((block.toJSON() as { caCertificates: string[] }).caCertificates).toEqual(['../config/certs/ca.pem', PEM]);
    const single = written('codestream:\n  url: https://vra.example.com\n  auth: refreshToken\n  secret: s\n  caCertificates: ca.pem\nsources: {}\nrules: []\n');
    expect((codeStreamBlock(single, path.join(path.dirname(single), 'x.yaml'), SETTINGS).toJSON() as { caCertificates: string }).caCertificates).toBe('ca.pem');
  });

  it('relative to the working directory when the config goes to stdout', () => {
    const file = written('codestream:\n  url: https://vra.example.com\n  auth: refreshToken\n  secret: s\n  caCertificates: ca.pem\nsources: {}\nrules: []\n');
    const expected = path.relative(process.cwd(), path.join(path.dirname(file), 'ca.pem')).split(path.sep).join('/');
    expect((codeStreamBlock(file, undefined, SETTINGS).toJSON() as { caCertificates: string }).caCertificates).toBe(expected);
  });

  it('writes a JSON config’s block as YAML', () => {
    const file = written(JSON.stringify({ codestream: SETTINGS, sources: {}, rules: [] }), 'relay.config.json');
    expect(asYaml(codeStreamBlock(file, undefined, SETTINGS))).toBe('codestream:\n  "url": "https://vra.example.com"\n  "auth": "refreshToken"\n  "secret": "codestream/relay"\n');
  });
});
