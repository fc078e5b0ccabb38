/**
 * Scaffolder actions of Stageflow.
 *
 * @packageDocumentation
 */

export { scaffolderModuleStageflow as default } from './module';
export * from './actions';
