import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A company CA and server certificates it issued, made with openssl for one test run. */
export interface TestCertificates {
  /** The CA's certificate (PEM), what `codestream.caCertificates` takes. */
  caCertificate: string;
  /** Its file, for configs that name a path. */
  caFile: string;
  /** For 127.0.0.1 and localhost: the certificate followed by the CA's, as appliances send their chain. */
  server: { cert: string; key: string };
  /** Issued by the same CA for vra.corp.example only: the wrong host name for a loopback URL. */
  otherHost: { cert: string; key: string };
  /** Signed by itself, by no CA. */
  selfSigned: { cert: string; key: string };
  /** Removes the files. */
  remove(): void;
}

/** Creates a fresh CA and certificates in a temporary folder: nothing is downloaded or committed. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Relay Test Company CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const issue = (name: string, subjectAltName: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(file(`${name}.ext`), `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
    return { cert: readFileSync(file(`${name}.pem`), 'utf8') + readFileSync(file('ca.pem'), 'utf8'), key: readFileSync(file(`${name}.key`), 'utf8') };
  };
  const server = issue('loopback', 'IP:127.0.0.1,DNS:localhost');
  const otherHost = issue('vra.corp.example', 'DNS:vra.corp.example');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  return {
    caCertificate: readFileSync(file('ca.pem'), 'utf8'),
    caFile: file('ca.pem'),
    server,
    otherHost,
    selfSigned: { cert: readFileSync(file('self.pem'), 'utf8'), key: readFileSync(file('self.key'), 'utf8') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
