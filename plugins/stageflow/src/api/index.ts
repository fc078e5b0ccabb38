export { stageflowApiRef } from './StageflowApi';
export type { StageflowApi } from './StageflowApi';
export { StageflowClient } from './StageflowClient';
