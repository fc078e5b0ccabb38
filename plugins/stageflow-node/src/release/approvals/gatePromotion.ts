import { NotAllowedError } from '@backstage/errors';
import { FlowStage } from '@stageflow/plugin-stageflow-common';
import { ReleaseActor } from '../types';
import { assertNotFrozen } from './freezeWindows';
import { PromotionApprovals } from './types';

/**
 * The checks of a protected stage before a promotion plans anything: a
 * freeze window refuses (dry runs too, they are honest), and a stage with
 * an `approval` rule needs a request unless this is the run of an approved
 * one. Returns whether the promotion must wait for approval.
 */
export function gatePromotion(options: {
  stage: FlowStage | undefined;
  actor: ReleaseActor;
  approvals?: PromotionApprovals;
  now?: Date;
}): { needsApproval: boolean } {
  const { stage, actor, approvals } = options;
  if (actor.approval && !approvals?.isApprovedRun(actor)) {
    throw new NotAllowedError(
      'Only the approvals of Stageflow may run an approved promotion request',
    );
  }
  if (!stage) {
    return { needsApproval: false };
  }
  assertNotFrozen(stage, options.now ?? new Date());
  if (!stage.approval || actor.approval) {
    return { needsApproval: false };
  }
  if (!approvals) {
    throw new NotAllowedError(
      `Stage ${stage.name} needs approval, and this backend has no approvals configured`,
    );
  }
  return { needsApproval: true };
}
