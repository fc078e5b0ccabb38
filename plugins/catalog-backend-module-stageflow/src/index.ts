/**
 * Catalog module of Stageflow.
 *
 * @packageDocumentation
 */

export { catalogModuleStageflow as default } from './module';
export { StageflowAnnotationProcessor } from './processor/StageflowAnnotationProcessor';
