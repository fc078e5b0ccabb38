export { ContributionsStore } from './ContributionsStore';
export type { Contribution, ContributorSummary } from './ContributionsStore';
export { ContributorAccess } from './ContributorAccess';
export {
  DEFAULT_MAX_ENTITIES,
  contributorConfigSchema,
  readContributorsConfig,
} from './readContributorsConfig';
export type { ContributorConfig } from './readContributorsConfig';
export { createContributionsRouter } from './router';
export type {
  ContributionsEventPublisher,
  ContributionsRouterOptions,
} from './router';
