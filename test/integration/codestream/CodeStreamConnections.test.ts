import { Logger } from '@aws-lambda-powertools/logger';
import { CodeStreamClient, type CodeStreamClientOptions } from '../../../lambda/codestream/CodeStreamClient';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { captureOutput } from '../../support/captureOutput';
import { API_TOKEN, PIPELINES, REFRESH_TOKEN, fixedCredentials, startSimulator } from '../../support/simulatorFixture';
import { type TestCertificates, createTestCertificates } from '../../support/testCertificates';
import { type TestProxy, startProxy } from '../../support/testProxy';

const REQUEST = { comments: 'push to main by alice', input: { GIT_BRANCH_NAME: 'main' } };
const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'NODE_TLS_REJECT_UNAUTHORIZED'] as const;

let certificates: TestCertificates;
let simulator: CodeStreamSimulator | undefined;

beforeAll(() => {
  certificates = createTestCertificates();
});

afterAll(() => certificates.remove());

afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
  for (const name of PROXY_VARIABLES) delete process.env[name];
});

function clientFor(url: string, options: Partial<CodeStreamClientOptions> = {}): CodeStreamClient {
  return new CodeStreamClient({
    baseUrl: url,
    auth: { flow: 'refreshToken' },
    credentials: fixedCredentials({ refreshToken: REFRESH_TOKEN, apiToken: API_TOKEN }),
    timeoutMs: 5_000,
    ...options,
  });
}

async function httpsSimulator(tls = certificates.server): Promise<string> {
  simulator = await startSimulator({ tls });
  return simulator.url;
}

describe('a Code Stream whose certificate a company CA issued', () => {
  it('without the CA in the config: the tls outcome, with a reason that says what to do, and nothing sent', async () => {
    const url = await httpsSimulator();
    const outcome = await clientFor(url).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'tls', stage: 'login', cause: 'untrusted' });
    expect(outcome.reason).toMatch(/^Code Stream's certificate is not trusted \(self-signed certificate in certificate chain; logging in at https:\/\/127\.0\.0\.1:\d+\/iaas\/api\/login\): add its CA to codestream\.caCertificates$/);
    expect(simulator?.requests).toEqual([]);
  });

  it('with the CA: logs in and creates the execution, the public CAs still trusted beside it', async () => {
    const url = await httpsSimulator();
    const outcome = await clientFor(url, { caCertificates: [certificates.caCertificate] }).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'created', executionLink: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/codestream\/api\/executions\//) });
    expect(simulator?.requests.map((request) => request.endpoint)).toEqual(['login.refreshToken', 'execute.byId']);
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment does not turn verification off', async () => {
    const url = await httpsSimulator();
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const outcome = await clientFor(url).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'tls', cause: 'untrusted' });
  });

  it('a certificate for another host name: the tls outcome naming the host name problem, even with the CA', async () => {
    const url = await httpsSimulator(certificates.otherHost);
    const outcome = await clientFor(url, { caCertificates: [certificates.caCertificate] }).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'tls', cause: 'hostname' });
    expect(outcome.reason).toContain("Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list");
    expect(outcome.reason).toContain('use in codestream.url a host name the certificate names');
  });

  it('a self-signed certificate: untrusted', async () => {
    const url = await httpsSimulator(certificates.selfSigned);
    expect(await clientFor(url).execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'tls', cause: 'untrusted' });
  });
});

describe('through an HTTP proxy', () => {
  let proxy: TestProxy;

  afterEach(async () => proxy?.stop());

  it('HTTPS_PROXY: the proxy sees a CONNECT to Code Stream, Code Stream sees the calls, the CA is trusted inside the tunnel', async () => {
    const url = await httpsSimulator();
    proxy = await startProxy();
    process.env.HTTPS_PROXY = proxy.url;
    const outcome = await clientFor(url, { caCertificates: [certificates.caCertificate] }).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'created' });
    expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.connects)).toEqual(new Set([new URL(url).host]));
    expect(simulator?.requests.map((request) => request.endpoint)).toEqual(['login.refreshToken', 'execute.byId']);
  });

  it('without the CA, the certificate problem is still found inside the tunnel', async () => {
    const url = await httpsSimulator();
    proxy = await startProxy();
    process.env.HTTPS_PROXY = proxy.url;

    expect(await clientFor(url).execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'tls', cause: 'untrusted' });
    expect(proxy.connects).toHaveLength(1);
  });

  it('a host in NO_PROXY bypasses the proxy', async () => {
    const url = await httpsSimulator();
    proxy = await startProxy();
    process.env.HTTPS_PROXY = proxy.url;
    process.env.NO_PROXY = 'vra.corp.example,127.0.0.1';
    const outcome = await clientFor(url, { caCertificates: [certificates.caCertificate] }).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'created' });
    expect(proxy.connects).toEqual([]);
  });

  it('codestream.proxy wins over the environment: its proxy is used although NO_PROXY names the host', async () => {
    const url = await httpsSimulator();
    proxy = await startProxy();
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    process.env.NO_PROXY = '127.0.0.1';
    const outcome = await clientFor(url, { caCertificates: [certificates.caCertificate], proxy: proxy.url }).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'created' });
    expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
  });

  it('codestream.proxy false connects directly although HTTPS_PROXY is set', async () => {
    const url = await httpsSimulator();
    proxy = await startProxy();
    process.env.HTTPS_PROXY = proxy.url;
    const outcome = await clientFor(url, { caCertificates: [certificates.caCertificate], proxy: false }).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'created' });
    expect(proxy.connects).toEqual([]);
  });

  it('proxy credentials in the URL authenticate the tunnel and never reach an outcome or a log line', async () => {
    const password = 'pr0xy-S3cret-9d1e';
    const url = await httpsSimulator();
    proxy = await startProxy({ password });
    const printed = captureOutput();
    const logger = new Logger({ serviceName: 'relay', logLevel: 'DEBUG' });
    const good = clientFor(url, { caCertificates: [certificates.caCertificate], proxy: `http://relay:${password}@127.0.0.1:${proxy.port}`, logger });
    const bad = clientFor(url, { caCertificates: [certificates.caCertificate], proxy: `http://relay:wrong-${password}@127.0.0.1:${proxy.port}`, logger });
    const created = await good.execute({ id: PIPELINES.build.id }, REQUEST);
    const refused = await bad.execute({ id: PIPELINES.build.id }, REQUEST);
    jest.restoreAllMocks();

    expect(created).toMatchObject({ kind: 'created' });
    expect(refused).toMatchObject({ kind: 'rejected', stage: 'login', status: 407 });
    expect(refused.reason).toBe(
      `the proxy http://***@127.0.0.1:${proxy.port} refused the tunnel to Code Stream with 407 (logging in at ${url}/iaas/api/login): it asks for credentials: give them in the proxy URL, or let the relay through by its address`,
    );
    // The logger did print: the check below is not vacuous.
    expect(printed.join('')).toContain('"via":"http://***@127.0.0.1:');
    expect(JSON.stringify([created, refused]) + printed.join('')).not.toContain(password);
  });

  it('a proxy that cannot reach Code Stream: retryable, and nothing was processed', async () => {
    proxy = await startProxy();
    const outcome = await clientFor('https://127.0.0.1:9', { proxy: proxy.url }).execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'retryable', stage: 'login', cause: 'connection', maybeProcessed: false });
    expect(outcome.reason).toMatch(/^the proxy http:\/\/127\.0\.0\.1:\d+ could not open a tunnel to Code Stream: it answered 5\d\d/);
  });

  it('a proxy variable that is not a URL: rejected, naming the setting and not its value', async () => {
    process.env.HTTPS_PROXY = 'http://relay:s3cret@[not a host';
    const outcome = await clientFor('https://127.0.0.1:9').execute({ id: PIPELINES.build.id }, REQUEST);

    expect(outcome).toMatchObject({ kind: 'rejected', stage: 'login' });
    expect(outcome.reason).toContain('the proxy setting is not a URL (HTTPS_PROXY/HTTP_PROXY)');
    expect(outcome.reason).not.toContain('s3cret');
  });
});
