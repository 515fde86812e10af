import { nativeInputNames } from '../../../cli/nativeInputNames';

const GIT = ['GIT_BRANCH_NAME', 'GIT_COMMIT_ID', 'GIT_CHANGE_SUBJECT', 'GIT_EVENT_OWNER_NAME', 'GIT_EVENT_DESCRIPTION', 'GIT_EVENT_TIMESTAMP', 'GIT_REPO_NAME', 'GIT_SERVER_URL'];
const DOCKER = ['DOCKER_EVENT_TIMESTAMP', 'DOCKER_IMAGE_TAG', 'DOCKER_OWNER_NAME', 'DOCKER_REPO_NAME', 'DOCKER_REPO_NAMESPACE', 'DOCKER_SERVER_URL'];

describe('nativeInputNames', () => {
  it.each([['push'], ['tag'], ['create'], ['delete'], ['pull_request'], ['pipeline'], ['release']] as const)('%s events: the GIT_* inputs', (kind) => {
    expect(nativeInputNames({ when: { events: [kind] } })).toEqual(GIT);
  });

  it.each([['artifact_push'], ['artifact_delete'], ['artifact_scan']] as const)('%s events: the DOCKER_* inputs', (kind) => {
    expect(nativeInputNames({ when: { events: [kind] } })).toEqual(DOCKER);
  });

  it('both, once each, for Git and artifact kinds together, for ping and other, and without when.events', () => {
    expect(nativeInputNames({ when: { events: ['artifact_push', 'push', 'tag'] } })).toEqual([...GIT, ...DOCKER]);
    expect(nativeInputNames({ when: { events: ['ping'] } })).toEqual([...GIT, ...DOCKER]);
    expect(nativeInputNames({ when: { events: ['other'] } })).toEqual([...GIT, ...DOCKER]);
    expect(nativeInputNames({ when: { branches: ['main'] } })).toEqual([...GIT, ...DOCKER]);
    expect(nativeInputNames({})).toEqual([...GIT, ...DOCKER]);
  });

  it('none with nativeInput: false', () => {
    expect(nativeInputNames({ nativeInput: false, when: { events: ['push'] } })).toEqual([]);
    expect(nativeInputNames({ nativeInput: true, when: { events: ['push'] } })).toEqual(GIT);
  });

  it('only what the given providers can send', () => {
    expect(nativeInputNames({}, ['gitlab', 'bitbucket-server'])).toEqual(GIT);
    expect(nativeInputNames({}, ['harbor'])).toEqual(DOCKER);
    expect(nativeInputNames({}, ['github'])).toEqual([...GIT, ...DOCKER]);
    expect(nativeInputNames({ when: { events: ['artifact_push'] } }, ['gitlab'])).toEqual([]);
    expect(nativeInputNames({}, [])).toEqual([]);
  });
});
