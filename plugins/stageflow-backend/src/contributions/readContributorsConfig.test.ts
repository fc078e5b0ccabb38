import { ConfigReader } from '@backstage/config';
import { readContributorsConfig } from './readContributorsConfig';

function read(contributors: unknown) {
  return readContributorsConfig(
    new ConfigReader({ stageflow: { contributors } } as any),
  );
}

describe('readContributorsConfig', () => {
  it('reads writers, kinds, annotations and the size limit with defaults', () => {
    const contributors = read({
      devops: { writers: { users: ['guest'], groups: ['group:team-a'] } },
      rancher: {
        writers: { services: ['rancher-sync'] },
        kinds: ['Resource'],
        annotations: ['cluster'],
        maxEntities: 50,
      },
    });
    expect(contributors.get('devops')).toEqual({
      name: 'devops',
      writers: {
        users: ['user:default/guest'],
        groups: ['group:default/team-a'],
        services: [],
      },
      kinds: ['Component', 'Resource'],
      annotations: [],
      maxEntities: 1000,
    });
    expect(contributors.get('rancher')).toMatchObject({
      writers: { services: ['rancher-sync'] },
      kinds: ['Resource'],
      annotations: ['cluster'],
      maxEntities: 50,
    });
  });

  it('has no contributor without config', () => {
    expect(read(undefined).size).toBe(0);
  });

  it.each([
    [
      { Devops: {} },
      'Invalid config at stageflow.contributors.Devops: the name must be 1 to 63 characters of a-z, 0-9 and "-", got "Devops"',
    ],
    [
      { devops: { kinds: ['Template'] } },
      'Invalid config at stageflow.contributors.devops.kinds[0]:',
    ],
    [
      { devops: { writers: { users: ['group:team-a'] } } },
      'Invalid config at stageflow.contributors.devops.writers.users[0]: must be a user ref such as user:default/name, got "group:team-a"',
    ],
    [
      { devops: { annotations: ['secrets'] } },
      'Invalid config at stageflow.contributors.devops.annotations[0]:',
    ],
    [
      { devops: { maxEntities: 0 } },
      'Invalid config at stageflow.contributors.devops.maxEntities:',
    ],
    [
      { devops: { writer: {} } },
      'Invalid config at stageflow.contributors.devops.writer: unknown key',
    ],
  ])('refuses %j naming the key', (contributors, message) => {
    expect(() => read(contributors)).toThrow(message);
  });
});
