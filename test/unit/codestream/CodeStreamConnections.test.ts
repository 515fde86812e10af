import { CodeStreamConnections, ProxySettingError, hideCredentials } from '../../../lambda/codestream/CodeStreamConnections';

const VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'] as const;

afterEach(() => {
  for (const name of VARIABLES) delete process.env[name];
});

const VRA = 'https://vra.corp.example/iaas/api/login';

it('connects directly when nothing names a proxy', () => {
  expect(new CodeStreamConnections().describe(VRA)).toBe('direct');
});

it('takes HTTPS_PROXY for https URLs and HTTP_PROXY for http ones', () => {
  process.env.HTTPS_PROXY = 'http://secure-proxy.corp.example:3128';
  process.env.HTTP_PROXY = 'http://plain-proxy.corp.example:8080';
  const connections = new CodeStreamConnections();
  expect(connections.describe(VRA)).toBe('http://secure-proxy.corp.example:3128');
  expect(connections.describe('http://127.0.0.1:3001/iaas/api/login')).toBe('http://plain-proxy.corp.example:8080');
});

it('honours NO_PROXY: exact hosts and domain suffixes', () => {
  process.env.HTTPS_PROXY = 'http://proxy.corp.example:3128';
  process.env.NO_PROXY = 'localhost,.corp.example';
  const connections = new CodeStreamConnections();
  expect(connections.describe(VRA)).toBe('direct');
  expect(connections.describe('https://api.mgmt.cloud.vmware.com/x')).toBe('http://proxy.corp.example:3128');
});

it('codestream.proxy wins over the variables; false turns them off', () => {
  process.env.HTTPS_PROXY = 'http://proxy.corp.example:3128';
  process.env.NO_PROXY = 'vra.corp.example';
  expect(new CodeStreamConnections({ proxy: 'http://other-proxy.corp.example:8080' }).describe(VRA)).toBe('http://other-proxy.corp.example:8080');
  expect(new CodeStreamConnections({ proxy: false }).describe(VRA)).toBe('direct');
});

it('makes one agent a proxy and reuses it, so that connections are kept alive', () => {
  const connections = new CodeStreamConnections({ proxy: 'http://proxy.corp.example:3128' });
  expect(connections.route(VRA).httpsAgent).toBe(connections.route('https://vra.corp.example/codestream/api/pipelines/p/executions').httpsAgent);
});

it('refuses a proxy that is not an http(s) URL, naming the setting, not the value', () => {
  expect(() => new CodeStreamConnections({ proxy: 'socks5://relay:s3cret@proxy.corp.example:1080' }).route(VRA)).toThrow(
    new ProxySettingError('the proxy socks5://***@proxy.corp.example:1080 is not an http: or https: URL'),
  );
});

it('hides the user and password of a proxy URL', () => {
  expect(hideCredentials(new URL('http://relay:p%40ss@proxy.corp.example:3128'))).toBe('http://***@proxy.corp.example:3128');
  expect(hideCredentials(new URL('http://proxy.corp.example:3128'))).toBe('http://proxy.corp.example:3128');
});
