import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  stageflowContributionWritePermission,
  stageflowEntityReadPermission,
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
} from '@stageflow/plugin-stageflow-common';
import { ServicePrincipalGrants } from './servicePrincipalPermissions';

describe('ServicePrincipalGrants', () => {
  // The platform's answer for a service principal: allowed.
  const allowAll = mockServices.permissions({ result: AuthorizeResult.ALLOW });
  const permissions = new ServicePrincipalGrants(allowAll, mockServices.auth());
  const requests = [
    stageflowReleaseCreatePermission,
    stageflowImagePromotePermission,
    stageflowEntityReadPermission,
    stageflowContributionWritePermission,
  ].map(permission => ({
    permission,
    resourceRef: 'component:default/phippy',
  })) as any;

  it('refuses releases and promotions to a service principal without a grant', async () => {
    const answers = await permissions.authorize(requests, {
      credentials: mockCredentials.service('ci-bot'),
    });
    expect(answers.map(a => a.result)).toEqual([
      AuthorizeResult.DENY,
      AuthorizeResult.DENY,
      AuthorizeResult.ALLOW,
      // Decided by stageflow.contributors.<name>.writers.services.
      AuthorizeResult.ALLOW,
    ]);
  });

  it('allows what the access restrictions grant by name', async () => {
    const answers = await permissions.authorize(requests, {
      credentials: mockCredentials.service('ci-bot', {
        permissionNames: ['stageflow.image.promote'],
      }),
    });
    expect(answers.map(a => a.result)).toEqual([
      AuthorizeResult.DENY,
      AuthorizeResult.ALLOW,
      AuthorizeResult.ALLOW,
      AuthorizeResult.ALLOW,
    ]);
  });

  it('lets Stageflow itself run an approved promotion, and nothing else', async () => {
    const answers = await permissions.authorize(requests, {
      credentials: mockCredentials.service('plugin:stageflow'),
    });
    expect(answers.map(a => a.result)).toEqual([
      AuthorizeResult.DENY,
      AuthorizeResult.ALLOW,
      AuthorizeResult.ALLOW,
      AuthorizeResult.ALLOW,
    ]);
    const other = await permissions.authorize(requests, {
      credentials: mockCredentials.service('plugin:scaffolder'),
    });
    expect(other[1].result).toBe(AuthorizeResult.DENY);
  });

  it('leaves users to the policy', async () => {
    const answers = await permissions.authorizeConditional(
      [{ permission: stageflowReleaseCreatePermission }] as any,
      { credentials: mockCredentials.user('user:default/guest') },
    );
    expect(answers.map(a => a.result)).toEqual([AuthorizeResult.ALLOW]);
  });
});
