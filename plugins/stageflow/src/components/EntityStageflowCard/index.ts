export {
  EntityStageflowCard,
  defaultStageflowTemplates,
} from './EntityStageflowCard';
export type {
  EntityStageflowCardProps,
  StageflowTemplates,
} from './EntityStageflowCard';
