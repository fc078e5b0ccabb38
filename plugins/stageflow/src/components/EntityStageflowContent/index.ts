export { EntityStageflowContent } from './EntityStageflowContent';
