export { PromotionApprovalsService } from './PromotionApprovalsService';
export { PromotionRequestStore } from './PromotionRequestStore';
export { createApprovalsRouter } from './createApprovalsRouter';
