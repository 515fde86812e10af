import { resolveEventPath } from '../../../lambda/rules/eventPaths';

describe('paths the canonical event has', () => {
  it.each<[(string | number)[], unknown]>([
    [[], expect.any(Object)],
    [['sender'], 'string'],
    [['git', 'ref'], 'string'],
    [['git', 'pullRequest', 'number'], 'int'],
    [['git', 'pullRequest', 'merged'], 'bool'],
    [['git', 'changedFiles', 'added'], 'list<string>'],
    [['git', 'changedFiles', 'added', 0], 'string'],
    [['git', 'repository'], expect.objectContaining({ fullName: 'string' })],
    [['artifact', 'tag'], 'string'],
  ])('event %j is %j', (steps, kind) => {
    expect(resolveEventPath(steps)).toEqual({ kind });
  });
});

describe('paths it cannot have, at the first step that goes wrong', () => {
  it('a misspelt field, with the closest at that level', () => {
    expect(resolveEventPath(['git', 'reff'])).toEqual({ step: 1, message: 'event.git has no field "reff"; did you mean event.git.ref?' });
    expect(resolveEventPath(['sendr'])).toEqual({ step: 0, message: 'event has no field "sendr"; did you mean event.sender?' });
    expect(resolveEventPath(['gti', 'branch'])).toEqual({ step: 0, message: 'event has no field "gti"; did you mean event.git?' });
  });

  it('a field far from every known one, with the fields there are', () => {
    expect(resolveEventPath(['git', 'pipeline', 'duration'])).toEqual({
      step: 2,
      message: 'event.git.pipeline has no field "duration"; its fields are id, status, url',
    });
  });

  it('a field of another level is not suggested', () => {
    expect(resolveEventPath(['git', 'fullName'])).toEqual({ step: 1, message: expect.stringMatching(/^event\.git has no field "fullName"; its fields are serverUrl, /) });
  });

  it('a property every object inherits', () => {
    expect(resolveEventPath(['constructor'])).toEqual({ step: 0, message: expect.stringMatching(/^event has no field "constructor"; its fields are /) });
  });

  it('a field of a string or of a list', () => {
    expect(resolveEventPath(['sender', 'name'])).toEqual({ step: 1, message: 'event.sender is a string, which has no field "name"' });
    expect(resolveEventPath(['git', 'changedFiles', 'added', 'length'])).toEqual({
      step: 3,
      message: 'event.git.changedFiles.added is a list of strings, which has no field "length"',
    });
    expect(resolveEventPath(['git', 'changedFiles', 'added', 0, 'x'])).toEqual({ step: 4, message: 'event.git.changedFiles.added[0] is a string, which has no field "x"' });
  });

  it('an index into what is not a list', () => {
    expect(resolveEventPath(['git', 'changedFiles', 0])).toEqual({ step: 2, message: 'event.git.changedFiles is an object, not a list: it cannot be indexed with [0]' });
    expect(resolveEventPath(['git', 'pullRequest', 'number', 1])).toEqual({ step: 3, message: 'event.git.pullRequest.number is an int, not a list: it cannot be indexed with [1]' });
  });

  it('a key that is no name', () => {
    expect(resolveEventPath(['git', 'x-y'])).toEqual({ step: 1, message: expect.stringMatching(/^event\.git has no field "x-y"; its fields are /) });
  });
});
