import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ContributorAccess } from './ContributorAccess';
import { readContributorsConfig } from './readContributorsConfig';

const contributors = readContributorsConfig(
  new ConfigReader({
    stageflow: {
      contributors: {
        devops: {
          writers: { groups: ['group:default/platform'], services: ['ci-bot'] },
        },
      },
    },
  }),
);

function access(
  groups: string[],
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  return new ContributorAccess({
    contributors,
    auth: mockServices.auth(),
    userInfo: mockServices.userInfo({ ownershipEntityRefs: groups }),
    permissions: mockServices.permissions({ result }),
  });
}

describe('ContributorAccess', () => {
  const jane = mockCredentials.user('user:default/jane');

  it('lets members of a writer group and named services write', async () => {
    await expect(
      access(['user:default/jane', 'group:default/platform']).authorizeWrite(
        'devops',
        jane,
      ),
    ).resolves.toMatchObject({ name: 'devops' });
    await expect(
      access([]).authorizeWrite('devops', mockCredentials.service('ci-bot')),
    ).resolves.toMatchObject({ name: 'devops' });
  });

  it('refuses others, naming the config key', async () => {
    await expect(
      access(['user:default/jane', 'group:default/team-a']).authorizeWrite(
        'devops',
        jane,
      ),
    ).rejects.toThrow(
      'You (user:default/jane) may not write the set of contributor devops: stageflow.contributors.devops.writers names neither you nor a group of yours',
    );
    await expect(
      access([]).authorizeWrite('devops', mockCredentials.service('other')),
    ).rejects.toThrow('You (other) may not write');
  });

  it('lets the policy refuse a configured writer', async () => {
    await expect(
      access(['group:default/platform'], AuthorizeResult.DENY).authorizeWrite(
        'devops',
        jane,
      ),
    ).rejects.toThrow('permission stageflow.contribution.write is denied');
  });
});
