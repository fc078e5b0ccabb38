export { useCompare } from './useCompare';
export { useHistory } from './useHistory';
export { useHotfixes } from './useHotfixes';
export { useReleases } from './useReleases';
export { useStages } from './useStages';
export { useUnreleased } from './useUnreleased';
export { useOverview } from './useOverview';
export type { Overview } from './useOverview';
export type { StageflowQuery } from './useStageflowQuery';
