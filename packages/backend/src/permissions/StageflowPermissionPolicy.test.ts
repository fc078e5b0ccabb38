import { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  stageflowContributionWritePermission,
  stageflowImagePromotePermission,
  stageflowPromotionApprovePermission,
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

  it('leaves contribution writes to the contributors config', async () => {
    expect(
      await policy.handle(
        { permission: stageflowContributionWritePermission },
        member,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('allows everything else', async () => {
    expect(
      await policy.handle({ permission: catalogEntityReadPermission }, member),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});

describe('StageflowPermissionPolicy applied to the examples', () => {
  const policy = new StageflowPermissionPolicy();
  // The catalog's own IS_ENTITY_OWNER rule decides the conditional answer.
  const authorize = createConditionAuthorizer(Object.values(permissionRules));
  const examples = parseAllDocuments(
    readFileSync(
      resolve(__dirname, '../../../../examples/entities.yaml'),
      'utf8',
    ),
  ).map(doc => doc.toJS() as Entity);
  // As the catalog stores them: spec.owner becomes an ownedBy relation.
  const stored = (name: string): Entity => {
    const entity = examples.find(e => e.metadata.name === name)!;
    return {
      ...entity,
      relations: [
        {
          type: 'ownedBy',
          targetRef: `group:default/${(entity.spec as any).owner}`,
        },
      ],
    };
  };
  const user = (ref: string, groups: string[]) =>
    ({
      info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
    } as any);
  const john = user('user:default/john.doe', ['group:default/team-a']);
  const bjoern = user('user:default/bjoern.dieding', ['group:default/team-b']);

  it.each([
    [stageflowReleaseCreatePermission, john, 'phippy', true],
    [stageflowImagePromotePermission, john, 'phippy', true],
    [stageflowReleaseCreatePermission, bjoern, 'phippy', false],
    [stageflowImagePromotePermission, bjoern, 'phippy', false],
    [stageflowImagePromotePermission, bjoern, 'goldie', true],
    [stageflowImagePromotePermission, john, 'goldie', false],
    [stageflowPromotionApprovePermission, bjoern, 'goldie', true],
    [stageflowPromotionApprovePermission, john, 'goldie', false],
  ])('%p for %p on %s: %p', async (permission, who, name, allowed) => {
    const decision = await policy.handle({ permission }, who);
    expect(authorize(decision, stored(name))).toBe(allowed);
  });
});
