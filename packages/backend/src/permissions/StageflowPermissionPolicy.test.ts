import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
} from '@stageflow/plugin-stageflow-common';
import { StageflowPermissionPolicy } from './StageflowPermissionPolicy';

const member = {
  info: {
    userEntityRef: 'user:default/john.doe',
    ownershipEntityRefs: ['user:default/john.doe', 'group:default/team-a'],
  },
} as any;

describe('StageflowPermissionPolicy', () => {
  const policy = new StageflowPermissionPolicy();

  it.each([stageflowReleaseCreatePermission, stageflowImagePromotePermission])(
    'limits %p to owners of the entity',
    async permission => {
      expect(await policy.handle({ permission }, member)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: { claims: member.info.ownershipEntityRefs },
        },
      });
    },
  );

  it('refuses releases without a user', async () => {
    expect(
      await policy.handle({ permission: stageflowReleaseCreatePermission }),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('allows everything else', async () => {
    expect(
      await policy.handle({ permission: catalogEntityReadPermission }, member),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
