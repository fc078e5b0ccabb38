export { readStageflowConfig } from './readStageflowConfig';
export type { StageflowConfig } from './readStageflowConfig';
export { claimKeyOf, imageClaimKey, repositoryClaimKey } from './claimKeys';
