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
export type {
  PromotionApprovals,
  PromotionRequestInput,
} from './approvals/types';
export { activeFreezeWindow } from './approvals/freezeWindows';
export {
  PROMOTION_RECEIPT_ARTIFACT_TYPE,
  readPromotionReceipts,
  referrersTagOf,
  writePromotionReceipt,
  type PromotionReceipt,
} from './receipts/promotionReceipt';
