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
