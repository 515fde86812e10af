import { inputOf, originOf, pipelineOf, quietPeriodOf, secretFingerprintOf, sharedNotes, sharedSkipReason } from '../../../../cli/import/nativeWebhook';

describe('originOf', () => {
  it('names the webhook by kind, project, name and id', () => {
    expect(originOf('registry', { id: 'r1', project: 'demo', name: 'images' }).text).toBe('Code Stream registry webhook demo/images (id r1)');
    expect(originOf('git', {}).text).toBe('Code Stream git webhook (no name) (id none)');
  });
});

describe('pipelineOf', () => {
  it('is the project and name the swagger gives, else an id, else why not', () => {
    expect(pipelineOf({ project: 'demo', pipeline: 'build' })).toEqual({ project: 'demo', name: 'build' });
    expect(pipelineOf({ pipeline: '3F9E2A40-7C1D-4B8E-9A6F-2D5C8B1E0A11' })).toEqual({ id: '3F9E2A40-7C1D-4B8E-9A6F-2D5C8B1E0A11' });
    expect(pipelineOf({ project: 'demo' })).toBe('it names no pipeline');
    expect(pipelineOf({ pipeline: 'build' })).toBe('its pipeline "build" belongs to no project');
  });
});

describe('inputOf', () => {
  it('carries text, numbers and booleans as text with $ doubled; nothing without input', () => {
    const notes: string[] = [];
    expect(inputOf({ input: { A: 'x', B: 2, C: false, D: 'cost: $3' } }, [], notes)).toEqual({ A: 'x', B: '2', C: 'false', D: 'cost: $$3' });
    expect(notes).toEqual([]);
    expect(inputOf({}, [], notes)).toBeUndefined();
    expect(inputOf({ input: {} }, [], notes)).toBeUndefined();
  });

  it('never writes an input named like a credential, and says so without its value', () => {
    const notes: string[] = [];
    expect(inputOf({ input: { GITHUB_TOKEN: 'ghp-VALUE', DB_PASSWORD: 'pw-VALUE', API_KEY: 'k-VALUE', REGION: 'eu' } }, [], notes)).toEqual({ REGION: 'eu' });
    expect(notes).toEqual([
      'input GITHUB_TOKEN looks like a credential and is not written to the config: give it to the pipeline as a Code Stream secret variable instead',
      'input DB_PASSWORD looks like a credential and is not written to the config: give it to the pipeline as a Code Stream secret variable instead',
      'input API_KEY looks like a credential and is not written to the config: give it to the pipeline as a Code Stream secret variable instead',
    ]);
  });

  it('leaves out empty native inputs (the relay fills them), lists and nulls, and unnamed inputs', () => {
    const notes: string[] = [];
    expect(inputOf({ input: { DOCKER_IMAGE_TAG: '', OTHER: '', LIST: ['a'], NOTHING: null, '': 'x' } }, ['DOCKER_IMAGE_TAG'], notes)).toEqual({ OTHER: '' });
    expect(notes).toEqual([
      'input LIST is left out: its value is a list, and pipeline inputs are text',
      'input NOTHING is left out: its value is null, and pipeline inputs are text',
      'an input with an empty name is left out: a rule input needs a name',
      "input DOCKER_IMAGE_TAG left out: empty in Code Stream, and the relay fills it from the event as Code Stream's trigger does",
    ]);
  });
});

describe('quietPeriodOf', () => {
  it('is delayTimeInMins in minutes when above 0', () => {
    const notes: string[] = [];
    expect(quietPeriodOf({ delayTimeInMins: 5 }, notes)).toEqual({ minutes: 5 });
    expect(quietPeriodOf({ delayTimeInMins: '5' }, notes)).toEqual({ minutes: 5 });
    expect(quietPeriodOf({ delayTimeInMins: 0 }, notes)).toBeUndefined();
    expect(quietPeriodOf({}, notes)).toBeUndefined();
    expect(notes).toEqual([]);
    expect(quietPeriodOf({ delayTimeInMins: 1.5 }, notes)).toBeUndefined();
    expect(notes).toEqual(['delayTimeInMins 1.5 is not a whole number of minutes: the rule starts its pipeline without delay']);
  });
});

describe('sharedSkipReason and sharedNotes', () => {
  it('skips a disabled webhook only', () => {
    expect(sharedSkipReason({ enabled: false })).toMatch(/^disabled in Code Stream/);
    expect(sharedSkipReason({ enabled: true })).toBeUndefined();
    expect(sharedSkipReason({})).toBeUndefined();
  });

  it('names fields the definition does not have, and is silent on bookkeeping and handled ones', () => {
    const notes: string[] = [];
    sharedNotes(
      { id: '1', name: 'n', project: 'p', _link: 'l', _projectId: 'x', createdBy: 'me', version: 'v1', secretToken: 's', description: 'd', slug: 's', extra: 1, webhookPassword: 'pw' },
      ['slug'],
      notes,
      'DockerRegistryWebHook',
    );
    expect(notes).toEqual(["not carried over: extra, webhookPassword, which the swagger's DockerRegistryWebHook does not define"]);
  });
});

describe('secretFingerprintOf', () => {
  it('is the same for the same token, another for another, and none without one', () => {
    expect(secretFingerprintOf({ secretToken: 'a' })).toBe(secretFingerprintOf({ secretToken: 'a' }));
    expect(secretFingerprintOf({ secretToken: 'a' })).not.toBe(secretFingerprintOf({ secretToken: 'b' }));
    expect(secretFingerprintOf({ secretToken: '' })).toBeUndefined();
    expect(secretFingerprintOf({})).toBeUndefined();
  });
});
