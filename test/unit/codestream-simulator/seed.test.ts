import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSeed, seedProblems } from '../../../local/codestream-simulator/seed';

it('loads the committed example seed', () => {
  const seed = loadSeed(path.join(__dirname, '../../../local/codestream-simulator/seed.example.json'));
  expect(seed.users.map((user) => user.name)).toEqual(['relay']);
  expect(seed.pipelines.map((pipeline) => `${pipeline.project}/${pipeline.name}`)).toEqual([
    'demo/build',
    'demo/deploy-image',
    'demo/deploy',
    'demo/scan-report',
    'demo/ci-artifact',
    'demo/release',
    'demo/retired',
  ]);
});

it('names the file and every problem', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'seed-')), 'seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      users: [{ name: '' }],
      pipelines: [
        { id: 'p1', project: 'demo', name: 'a', input: { n: 1 } },
        { id: 'p1', project: 'demo', enabled: 'yes', allowedUsers: 'relay' },
      ],
    }),
  );
  expect(() => loadSeed(file)).toThrow(
    [
      `invalid simulator seed ${file}:`,
      '  users[0].name must be a non-empty string',
      '  users[0] needs a refreshToken or an apiToken',
      '  pipelines[0].input must map names to strings',
      '  pipelines[1].name must be a non-empty string',
      '  pipelines[1].id "p1" is used twice',
      '  pipelines[1].enabled must be true or false',
      '  pipelines[1].allowedUsers must be an array of user names',
    ].join('\n'),
  );
});

it('rejects a seed that is not an object with arrays', () => {
  expect(seedProblems([])).toEqual(['"users" must be an array', '"pipelines" must be an array']);
  expect(seedProblems(null)).toEqual(['the seed must be a JSON object with users and pipelines']);
});

it('says why an unreadable file cannot be read', () => {
  expect(() => loadSeed('/nonexistent/seed.json')).toThrow('cannot read the simulator seed /nonexistent/seed.json: ENOENT');
});

it('loads the example seed webhooks, which trigger its pipelines', () => {
  const seed = loadSeed(path.join(__dirname, '../../../local/codestream-simulator/seed.example.json'));
  expect(seed.gitWebhooks?.map((webhook) => `${webhook.project}/${webhook.name} → ${webhook.pipeline}`)).toEqual(['demo/hello-world-main → build']);
  expect(seed.registryWebhooks?.map((webhook) => `${webhook.project}/${webhook.name} → ${webhook.pipeline}`)).toEqual([
    'demo/testhook-releases → deploy-image',
    'demo/harbor-library → deploy-image',
  ]);
});

it('keeps a seed without webhooks valid, and accepts a pipeline description', () => {
  expect(
    seedProblems({ users: [{ name: 'relay', apiToken: 'a' }], pipelines: [{ id: 'p1', project: 'demo', name: 'build', description: 'd' }] }),
  ).toEqual([]);
});

it('names every problem of the webhooks', () => {
  const pipelines = [{ id: 'p1', project: 'demo', name: 'build', description: 3 }];
  expect(
    seedProblems({
      users: [{ name: 'relay', apiToken: 'a' }],
      pipelines,
      gitWebhooks: [
        {
          id: 'g1',
          name: 'push',
          project: 'demo',
          pipeline: 'build',
          inclusions: [{ type: 'GLOB', value: 'src/' }],
          delayTimeInMins: 1.5,
          input: { A: 1 },
          secret: 'x',
        },
        { id: 'g1', name: '', project: 'other', pipeline: 'build', prioritizeExclusion: 'yes' },
        'not an object',
      ],
      registryWebhooks: [{ id: 'r1', name: 'images', project: 'demo', enabled: 'no', tagNamePattern: 5 }],
    }),
  ).toEqual([
    'pipelines[0].description must be a string',
    'gitWebhooks[0].input must map names to strings',
    'gitWebhooks[0].inclusions must be an array of {"type": "PLAIN" or "REGEX", "value": "…"}',
    'gitWebhooks[0].delayTimeInMins must be a whole number of minutes',
    expect.stringMatching(/^gitWebhooks\[0\]\.secret is not a field the simulator serves \(id, name, .*secretToken.*\)$/),
    'gitWebhooks[1].name must be a non-empty string',
    'gitWebhooks[1].prioritizeExclusion must be true or false',
    'gitWebhooks[1].id "g1" is used twice',
    'gitWebhooks[1].pipeline "build" is not a seeded pipeline of project "other"',
    'gitWebhooks[2] must be an object',
    'registryWebhooks[0].pipeline must be a non-empty string',
    'registryWebhooks[0].enabled must be true or false',
    'registryWebhooks[0].tagNamePattern must be a string',
  ]);
  expect(seedProblems({ users: [], pipelines: [], gitWebhooks: {}, registryWebhooks: 'none' })).toEqual([
    '"gitWebhooks" must be an array',
    '"registryWebhooks" must be an array',
  ]);
});
