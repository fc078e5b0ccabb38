export { readStageflowConfig } from './readStageflowConfig';
export type { StageflowConfig } from './readStageflowConfig';
export { claimKeyOf, imageClaimKey, repositoryClaimKey } from './claimKeys';
export {
  DEFAULT_MAX_ENTITIES,
  contributorConfigSchema,
  type ContributorConfig,
} from './sections/contributors';
export type { NotificationsConfig } from './sections/notifications';
