export { ContributionsStore } from './ContributionsStore';
export type { Contribution, ContributorSummary } from './ContributionsStore';
export { createContributionsRouter } from './router';
export type {
  ContributionsEventPublisher,
  ContributionsRouterOptions,
} from './router';
