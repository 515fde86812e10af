import path from 'node:path';
import { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { loadSeed } from '../../../local/codestream-simulator/seed';
import { PIPELINES, REFRESH_TOKEN, SEED } from '../../support/simulatorFixture';

// The pipeline and webhook reads over loopback, with the committed example seed's webhooks on the
// test seed's pipelines (both have demo/build; the example's deploy-image is added).
const example = loadSeed(path.join(__dirname, '../../../local/codestream-simulator/seed.example.json'));
const deployImage = example.pipelines.find((pipeline) => pipeline.name === 'deploy-image');

let simulator: CodeStreamSimulator;

beforeAll(async () => {
  simulator = new CodeStreamSimulator({
    seed: {
      ...SEED,
      pipelines: [...SEED.pipelines, ...(deployImage ? [deployImage] : [])],
      gitWebhooks: example.gitWebhooks,
      registryWebhooks: example.registryWebhooks,
    },
  });
  await simulator.start();
});

afterAll(async () => {
  await simulator.stop();
});

async function get(urlPath: string, token?: string) {
  const response = await fetch(`${simulator.url}${urlPath}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

async function login(): Promise<string> {
  const response = await fetch(`${simulator.url}/iaas/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refreshToken: REFRESH_TOKEN }),
  });
  return ((await response.json()) as { token: string }).token;
}

describe('GET a pipeline', () => {
  it('serves a pipeline by id and by project and name, with its declared inputs and enabled flag', async () => {
    const token = await login();
    const expected = {
      id: PIPELINES.build.id,
      name: 'build',
      project: 'demo',
      description: '',
      enabled: true,
      input: { GIT_BRANCH_NAME: '', GIT_COMMIT_ID: '' },
      _link: `/codestream/api/pipelines/${PIPELINES.build.id}`,
    };
    expect(await get(`/codestream/api/pipelines/${PIPELINES.build.id}`, token)).toMatchObject({ status: 200, json: expected });
    expect((await get('/codestream/api/pipelines/demo/build?apiVersion=2019-10-17', token)).json).toEqual(expected);
  });

  it('serves a disabled pipeline as disabled, decodes names, and never serves allowedUsers', async () => {
    const token = await login();
    expect((await get('/codestream/api/pipelines/demo/retired', token)).json).toMatchObject({ enabled: false, input: {} });
    expect((await get('/codestream/api/pipelines/Platform%20Team/build%20%26%20test', token)).json).toMatchObject({ id: PIPELINES.spaced.id });
    expect((await get(`/codestream/api/pipelines/${PIPELINES.restricted.id}`, token)).json).not.toHaveProperty('allowedUsers');
  });

  it('answers 404 in the simulator error shape for an unknown pipeline', async () => {
    const token = await login();
    expect(await get('/codestream/api/pipelines/nope', token)).toMatchObject({
      status: 404,
      json: { message: "Pipeline with id 'nope' not found", statusCode: 404 },
    });
    expect(await get('/codestream/api/pipelines/demo/nope', token)).toMatchObject({
      status: 404,
      json: { message: "Pipeline with name 'nope' in project 'demo' not found", statusCode: 404 },
    });
  });

  it('still routes {id}/executions to the executions list', async () => {
    const token = await login();
    expect((await get(`/codestream/api/pipelines/${PIPELINES.build.id}/executions`, token)).json).toMatchObject({ totalCount: 0 });
  });
});

describe('GET git-webhooks and registry-webhooks', () => {
  it('lists Git webhooks in the swagger envelope, with their fields as seeded and the secretToken as the swagger has it', async () => {
    const token = await login();
    const { status, json } = await get('/codestream/api/git-webhooks', token);
    const link = '/codestream/api/git-webhooks/5b8d1f3e-9c2a-4e7b-a1d6-3f0e8c9b2a55';
    expect(status).toBe(200);
    expect(json).toEqual({
      count: 1,
      totalCount: 1,
      links: [link],
      documents: { [link]: { ...example.gitWebhooks?.[0], _link: link } },
    });
    expect((json.documents as Record<string, Record<string, unknown>>)[link]).toMatchObject({
      repoName: 'Codertocat/Hello-World',
      branchName: 'main',
      eventCategory: 'PUSH',
      delayTimeInMins: 2,
      secretToken: 'local-git-webhook-secret',
    });
  });

  it('lists registry webhooks ordered by name desc, enabled by default, with $top and $skip', async () => {
    const token = await login();
    const all = await get('/codestream/api/registry-webhooks', token);
    expect(all.json).toMatchObject({ count: 2, totalCount: 2 });
    const documents = all.json.documents as Record<string, { name: string; enabled: boolean; tagNamePattern: string }>;
    expect((all.json.links as string[]).map((link) => documents[link]?.name)).toEqual(['testhook-releases', 'harbor-library']);
    expect(Object.values(documents).map((webhook) => webhook.enabled)).toEqual([true, false]);
    const page = await get('/codestream/api/registry-webhooks?$top=1&$skip=1', token);
    expect(page.json).toMatchObject({ count: 1, totalCount: 2, links: ['/codestream/api/registry-webhooks/9f2b4d6e-8a0c-4b1d-a3e5-7c9e1f3b5d77'] });
    expect((await get('/codestream/api/git-webhooks?$skip=5', token)).json).toEqual({ count: 0, totalCount: 1, links: [], documents: {} });
  });

  it('answers 400 for a bad $top and for the query options it does not implement', async () => {
    const token = await login();
    expect((await get('/codestream/api/git-webhooks?$top=all', token)).json).toMatchObject({ message: '$top must be a whole number' });
    expect((await get("/codestream/api/registry-webhooks?$filter=name eq 'x'", token)).json).toMatchObject({
      message: 'the simulator does not support $filter',
    });
  });

  it('lists nothing when the seed has no webhooks', async () => {
    const bare = new CodeStreamSimulator({ seed: SEED });
    await bare.start();
    try {
      const response = await fetch(`${bare.url}/iaas/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: REFRESH_TOKEN }),
      });
      const { token } = (await response.json()) as { token: string };
      const listed = await fetch(`${bare.url}/codestream/api/git-webhooks`, { headers: { Authorization: `Bearer ${token}` } });
      expect(await listed.json()).toEqual({ count: 0, totalCount: 0, links: [], documents: {} });
    } finally {
      await bare.stop();
    }
  });
});

describe('authentication of the reads', () => {
  it.each([
    `/codestream/api/pipelines/${PIPELINES.build.id}`,
    '/codestream/api/pipelines/demo/build',
    '/codestream/api/git-webhooks',
    '/codestream/api/registry-webhooks',
  ])('answers 401 for %s without a token, with a forged one, and after the tokens expire', async (urlPath) => {
    const missing = await get(urlPath);
    expect(missing).toMatchObject({ status: 401, json: { message: 'Authorization header with a Bearer token is required' } });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await get(urlPath, 'forged')).status).toBe(401);
    const token = await login();
    expect((await get(urlPath, token)).status).toBe(200);
    simulator.expireTokens();
    expect((await get(urlPath, token)).status).toBe(401);
  });

  it('answers 405 for other methods on the read endpoints', async () => {
    const response = await fetch(`${simulator.url}/codestream/api/git-webhooks`, { method: 'DELETE' });
    expect(response.status).toBe(405);
  });

  it('records the reads by endpoint, with the user and pipeline', async () => {
    const token = await login();
    await get('/codestream/api/pipelines/demo/build', token);
    expect(simulator.requests.at(-1)).toMatchObject({ endpoint: 'pipeline.get', status: 200, user: 'relay', pipelineId: PIPELINES.build.id });
    await get('/codestream/api/registry-webhooks', token);
    expect(simulator.requests.at(-1)).toMatchObject({ endpoint: 'registryWebhooks.list', status: 200 });
  });
});
