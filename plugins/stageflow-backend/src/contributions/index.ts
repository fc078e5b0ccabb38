export { ContributionsStore } from './ContributionsStore';
export type { Contribution, ContributorSummary } from './ContributionsStore';
export { CONTRIBUTIONS_EVENT_TOPIC, createContributionsRouter } from './router';
export type {
  ContributionsEventPublisher,
  ContributionsRouterOptions,
} from './router';
