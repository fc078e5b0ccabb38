import { PromotionPlan } from '../planPromotion';
import { PromoteResult } from '../types';
import { GitopsPromotionResult } from './executeGitopsPromotion';

/** The fields a GitOps promotion adds to its result: diff, commit, pull request. */
export function gitopsOutputs(
  plan: PromotionPlan,
  written: GitopsPromotionResult,
): Pick<
  PromoteResult,
  'diff' | 'commit' | 'pullRequestUrl' | 'pullRequestBranch'
> {
  if (!plan.gitops) {
    return {};
  }
  return {
    diff: plan.gitops.diff,
    ...(written.commit ? { commit: written.commit } : {}),
    ...(written.pullRequestUrl
      ? { pullRequestUrl: written.pullRequestUrl }
      : {}),
    ...(written.branch ? { pullRequestBranch: written.branch } : {}),
  };
}
