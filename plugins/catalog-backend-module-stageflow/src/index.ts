/**
 * Catalog module of Stageflow.
 *
 * @packageDocumentation
 */

export { catalogModuleStageflow as default } from './module';
export { StageflowAnnotationProcessor } from './processor/StageflowAnnotationProcessor';
export { StageflowModelProcessor } from './processor/StageflowModelProcessor';
export {
  StageflowContributionsProvider,
  contributorLocationKey,
} from './provider/StageflowContributionsProvider';
export type { StageflowContributionsProviderOptions } from './provider/StageflowContributionsProvider';
