import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { createCatalogRegisterAction } from './catalogRegister';
import { createPromoteImageAction } from './promoteImage';
import { StageflowActionDeps } from './shared';
import { createStartHotfixAction } from './startHotfix';
import { createTagReleaseAction } from './tagRelease';

export { createCatalogRegisterAction } from './catalogRegister';
export type { CatalogRegisterActionOptions } from './catalogRegister';
export { createFinishHotfixAction } from './finishHotfix';
export type { FinishHotfixActionOptions } from './finishHotfix';
export { createPromoteImageAction } from './promoteImage';
export { createStartHotfixAction } from './startHotfix';
export { createTagReleaseAction } from './tagRelease';
export type { StageflowActionDeps } from './shared';

/**
 * Every Stageflow action, built once on shared clients.
 *
 * @public
 */
export function createStageflowActions(
  deps: StageflowActionDeps & {
    discovery: DiscoveryService;
    auth: AuthService;
  },
) {
  return [
    createStartHotfixAction(deps),
    createTagReleaseAction(deps),
    createPromoteImageAction(deps),
    createCatalogRegisterAction(deps),
  ];
}
