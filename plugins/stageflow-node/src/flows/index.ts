export { readStageflowConfig } from './readFlowsConfig';
export type { StageflowConfig } from './readFlowsConfig';
export { readComponentTarget } from './componentTarget';
export type { ComponentTarget } from './componentTarget';
