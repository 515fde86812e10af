import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../lambda/config/loadConfig';
import { readBundledConfig } from '../../../lambda/config/readBundledConfig';

const dir = mkdtempSync(path.join(tmpdir(), 'relay-bundled-'));
const file = (name: string, text: string) => {
  const written = path.join(dir, name);
  writeFileSync(written, text);
  return written;
};

it('reads the JSON that synth writes, as loadConfig checked it', () => {
  const { config } = loadConfig(path.join(__dirname, '../../../relay.config.yaml'));
  expect(readBundledConfig(file('relay.config.json', JSON.stringify(config)))).toEqual(config);
});

it('says what is wrong with a file that is not that JSON, without a schema compiler', () => {
  expect(() => readBundledConfig(path.join(dir, 'missing.json'))).toThrow(/^cannot read the bundled config .*missing\.json: ENOENT/);
  expect(() => readBundledConfig(file('yaml.json', 'codestream:\n  url: x\n'))).toThrow(/^cannot read the bundled config .*yaml\.json: Unexpected token/);
  expect(() => readBundledConfig(file('partial.json', '{"codestream": {}, "sources": {}}'))).toThrow(
    `the bundled config ${path.join(dir, 'partial.json')} is not the JSON that synth writes (codestream, sources and rules)`,
  );
});
