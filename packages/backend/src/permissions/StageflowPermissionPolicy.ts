import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  stageflowHotfixCreatePermission,
  stageflowImagePromotePermission,
  stageflowPromotionApprovePermission,
  stageflowReleaseCreatePermission,
} from '@stageflow/plugin-stageflow-common';

const OWNER_ONLY = [
  stageflowReleaseCreatePermission,
  stageflowHotfixCreatePermission,
  stageflowImagePromotePermission,
  stageflowPromotionApprovePermission,
];

/**
 * The demo's policy: releases, hotfixes, promotions and their approvals
 * of a component are for the members of the group that owns it;
 * everything else is allowed.
 * Writing a contributor's set (`stageflow.contribution.write`) is allowed
 * here because the Stageflow backend already limits it to the writers
 * `stageflow.contributors.<name>.writers` names. Service principals never
 * reach a policy (the platform answers for them); see
 * `servicePrincipalPermissions.ts`.
 */
export class StageflowPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const ownerOnly = OWNER_ONLY.find(p => isPermission(request.permission, p));
    if (ownerOnly) {
      if (!user) {
        return { result: AuthorizeResult.DENY };
      }
      return createCatalogConditionalDecision(
        ownerOnly,
        catalogConditions.isEntityOwner({
          claims: user.info.ownershipEntityRefs,
        }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
