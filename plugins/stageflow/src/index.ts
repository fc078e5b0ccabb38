/**
 * Stageflow frontend plugin: versions per stage on the entity page and an
 * overview page.
 *
 * @packageDocumentation
 */

export { stageflowPlugin, EntityStageflowCard, StageflowPage } from './plugin';
export { isStageflowAvailable } from './conditions';
export { stageflowApiRef, StageflowClient } from './api';
export type { StageflowApi } from './api';
