export type * from './types';
export { DefaultReleaseService } from './DefaultReleaseService';
export type {
  DefaultReleaseServiceOptions,
  PromotionLock,
  ReleaseAnnouncer,
  ReleaseHistory,
} from './DefaultReleaseServiceOptions';
export {
  ReleaseServiceClient,
  ReleaseServiceRemoteError,
} from './ReleaseServiceClient';
export { releaseServiceRef } from './releaseServiceRef';
export { StageResolver } from './StageResolver';
export { StageflowFacts, type FactReadOptions } from './StageflowFacts';
