export { stageflowApiRef } from './StageflowApi';
export type {
  StageflowApi,
  StageflowOverviewPage,
  StageflowOverviewQuery,
} from './StageflowApi';
export { StageflowClient } from './StageflowClient';
