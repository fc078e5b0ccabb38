import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ReleaseService } from '@stageflow/plugin-stageflow-node';
import { createCatalogRegisterAction } from './catalogRegister';
import { createFinishHotfixAction } from './finishHotfix';
import { createPromoteImageAction } from './promoteImage';
import { createStartHotfixAction } from './startHotfix';
import { createTagReleaseAction } from './tagRelease';

export { createCatalogRegisterAction } from './catalogRegister';
export type { CatalogRegisterActionOptions } from './catalogRegister';
export { createFinishHotfixAction } from './finishHotfix';
export type { FinishHotfixActionOptions } from './finishHotfix';
export { createPromoteImageAction } from './promoteImage';
export { createStartHotfixAction } from './startHotfix';
export { createTagReleaseAction } from './tagRelease';

/**
 * Every Stageflow action, built once: the release actions on the release
 * service, the catalog one on the backend's contributions API.
 *
 * @public
 */
export function createStageflowActions(options: {
  releaseService: ReleaseService;
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  return [
    createStartHotfixAction(options),
    createFinishHotfixAction({ releases: options.releaseService }),
    createTagReleaseAction(options),
    createPromoteImageAction(options),
    createCatalogRegisterAction(options),
  ];
}
