import { codeStreamPort } from '../../infra/codeStreamPort';

it('through a proxy, the proxy URL’s port', () => {
  expect(codeStreamPort({ url: 'https://vra.corp.example', proxy: 'http://proxy.corp.example:3128' })).toBe(3128);
});

it('through a proxy without a port, 80 for http: and 443 for https:', () => {
  expect(codeStreamPort({ url: 'https://vra.corp.example:8443', proxy: 'http://proxy.corp.example' })).toBe(80);
  expect(codeStreamPort({ url: 'https://vra.corp.example:8443', proxy: 'https://proxy.corp.example' })).toBe(443);
});

it('directly, or with proxy false, Code Stream’s port, 443 by default', () => {
  expect(codeStreamPort({ url: 'https://vra.corp.example:8443', proxy: false })).toBe(8443);
  expect(codeStreamPort({ url: 'https://vra.corp.example' })).toBe(443);
});
