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
 * Replacing the entities a contributor registers in the catalog.
 *
 * @public
 */
export const stageflowContributionsWritePermission = createPermission({
  name: 'stageflow.contributions.write',
  attributes: { action: 'update' },
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
  stageflowContributionsWritePermission,
];
