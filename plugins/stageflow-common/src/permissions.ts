import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading what runs in the stages of a component, its releases and history.
 *
 * @public
 */
export const stageflowEntityReadPermission = createPermission({
  name: 'stageflow.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Tagging a release of a component (the `stageflow:release:tag` action).
 *
 * @public
 */
export const stageflowReleaseCreatePermission = createPermission({
  name: 'stageflow.release.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Starting a hotfix branch of a component (the `stageflow:hotfix:start`
 * action).
 *
 * @public
 */
export const stageflowHotfixCreatePermission = createPermission({
  name: 'stageflow.hotfix.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Pointing a stage of a component at another image (the
 * `stageflow:image:promote` action).
 *
 * @public
 */
export const stageflowImagePromotePermission = createPermission({
  name: 'stageflow.image.promote',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Approving or rejecting a promotion request to a protected stage of a
 * component.
 *
 * @public
 */
export const stageflowPromotionApprovePermission = createPermission({
  name: 'stageflow.promotion.approve',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * The resource type of a contributor (`stageflow.contributors.<name>`): the
 * resource of {@link stageflowContributionWritePermission}, its ref the
 * contributor's name.
 *
 * @public
 */
export const STAGEFLOW_CONTRIBUTOR_RESOURCE_TYPE = 'stageflow-contributor';

/**
 * Replacing the set of entities a contributor registers in the catalog
 * (`PUT /v1/contributions/:contributor` and `stageflow:catalog:register`).
 * The resource is the contributor; the Stageflow backend allows the write
 * only to the writers its config names, and a policy may refuse more.
 *
 * @public
 */
export const stageflowContributionWritePermission = createPermission({
  name: 'stageflow.contribution.write',
  attributes: { action: 'update' },
  resourceType: STAGEFLOW_CONTRIBUTOR_RESOURCE_TYPE,
});

/**
 * Every Stageflow permission, for permission policies and the
 * permission integration router.
 *
 * @public
 */
export const stageflowPermissions = [
  stageflowEntityReadPermission,
  stageflowReleaseCreatePermission,
  stageflowHotfixCreatePermission,
  stageflowImagePromotePermission,
  stageflowPromotionApprovePermission,
  stageflowContributionWritePermission,
];
