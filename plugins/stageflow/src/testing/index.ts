export { FakeStageflowApi } from './FakeStageflowApi';
export { FakeSignalApi } from './FakeSignalApi';
export { mockStageflowApi } from './mockStageflowApi';
export * from './data';
