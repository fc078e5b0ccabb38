export { EntityStageflowCard } from './EntityStageflowCard';
export type { EntityStageflowCardProps } from './EntityStageflowCard';
export { defaultStageflowTemplates } from './CardActions';
export type { StageflowTemplates } from './CardActions';
