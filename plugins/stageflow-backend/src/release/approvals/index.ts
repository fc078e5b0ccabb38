export {
  APPROVED_RUN_LEASE_MS,
  PROMOTION_REQUESTS_SWEEP_TASK,
  PromotionApprovalsService,
} from './PromotionApprovalsService';
export { PromotionNotifier } from './PromotionNotifier';
export { PromotionRequestStore } from './PromotionRequestStore';
export { createApprovalsRouter } from './createApprovalsRouter';
