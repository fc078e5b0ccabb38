import { FlowStage } from '@stageflow/plugin-stageflow-common';
import { PromoteRequest, ReleaseActor } from '../types';

/** What a promotion request records: the plan a dry run saw.
 *
 * @public
 */
export interface PromotionRequestInput {
  entityRef: string;
  stage: FlowStage;
  request: PromoteRequest;
  version: string;
  digest: string;
  previousVersion?: string;
  previousDigest?: string;
  requester: string;
  taskId?: string;
}

/**
 * The approvals of promotions to protected stages (stages with an
 * `approval` rule), implemented by the backend where its database is.
 *
 * @public
 */
export interface PromotionApprovals {
  /** Stores a pending request and notifies its approvers. */
  request(input: PromotionRequestInput): Promise<{ requestId: string }>;
  /**
   * Whether `actor` is the run of an approved request that these
   * approvals started (and so needs no further approval). An actor naming
   * an approval it did not mint is refused by the release service.
   */
  isApprovedRun(actor: ReleaseActor): boolean;
}
