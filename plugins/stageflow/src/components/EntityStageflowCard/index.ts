export { EntityStageflowCard } from './EntityStageflowCard';
