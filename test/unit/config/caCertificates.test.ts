import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveCaCertificates } from '../../../lambda/config/caCertificates';
import { ConfigError } from '../../../lambda/config/ConfigError';
import { parseConfig } from '../../../lambda/config/loadConfig';
import { type TestCertificates, createTestCertificates } from '../../support/testCertificates';

let certificates: TestCertificates;
let dir: string;
let configFile: string;

beforeAll(() => {
  certificates = createTestCertificates();
  dir = mkdtempSync(path.join(tmpdir(), 'relay-ca-'));
  configFile = path.join(dir, 'relay.config.yaml');
  writeFileSync(path.join(dir, 'company-ca.pem'), certificates.caCertificate);
  // The server's chain: its own certificate, then the CA's.
  writeFileSync(path.join(dir, 'chain.pem'), certificates.server.cert);
  writeFileSync(path.join(dir, 'notes.txt'), 'not a certificate');
});

afterAll(() => certificates.remove());

const ca = () => certificates.caCertificate.trim();

it('reads a file relative to the config file, into the PEM text', () => {
  expect(resolveCaCertificates('company-ca.pem', configFile)).toEqual({ certificates: [ca()], problems: [] });
});

it('keeps inline PEM, and splits a file that holds a chain into one PEM a certificate', () => {
  const resolved = resolveCaCertificates([certificates.caCertificate, './chain.pem'], configFile);
  expect(resolved.problems).toEqual([]);
  expect(resolved.certificates).toHaveLength(3);
  expect(resolved.certificates[0]).toBe(ca());
  expect(resolved.certificates[2]).toBe(ca());
});

it('names each entry that cannot be used, and why', () => {
  const broken = ca().replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
  expect(resolveCaCertificates(['missing.pem', 'notes.txt', broken], configFile).problems).toEqual([
    { index: 0, message: 'cannot read the CA certificate file missing.pem: ENOENT' },
    { index: 1, message: 'notes.txt holds no PEM certificate (-----BEGIN CERTIFICATE-----)' },
    { index: 2, message: 'the inline PEM holds a certificate that cannot be parsed' },
  ]);
});

describe('in a config', () => {
  const config = (caCertificates: string) => `codestream:
  url: https://vra.corp.example
  auth: refreshToken
  secret: codestream/relay
  caCertificates: ${caCertificates}
sources: {}
rules: []
`;

  it('the loaded config carries the certificates themselves: the bundle needs no file', () => {
    const { config: loaded } = parseConfig(config('./company-ca.pem'), configFile);
    expect(loaded.codestream.caCertificates).toEqual([ca()]);
  });

  it('a problem names the file, the line and the entry', () => {
    let error: unknown;
    try {
      parseConfig(config('[./company-ca.pem, ./missing.pem]'), configFile);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.objectContaining({ file: configFile, line: 5, field: 'codestream.caCertificates[1]', message: 'cannot read the CA certificate file ./missing.pem: ENOENT' }),
    ]);
  });

  it('the schema refuses an empty list, and a proxy that is not a URL or false', () => {
    expect(() => parseConfig(config('[]'), configFile)).toThrow(ConfigError);
    expect(() => parseConfig(config('./company-ca.pem\n  proxy: true'), configFile)).toThrow(ConfigError);
    expect(() => parseConfig(config('./company-ca.pem\n  proxy: proxy.corp.example:3128'), configFile)).toThrow(ConfigError);
    expect(parseConfig(config('./company-ca.pem\n  proxy: false'), configFile).config.codestream.proxy).toBe(false);
  });
});
