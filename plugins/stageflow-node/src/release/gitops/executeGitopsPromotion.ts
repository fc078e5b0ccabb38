import { StageflowFacts } from '../StageflowFacts';
import { GitopsPromotion } from './planGitopsPromotion';

/** What a GitOps promotion wrote. */
export interface GitopsPromotionResult {
  /** The commit that changes the pin (on the branch, or the proposal's). */
  commit?: string;
  /** The pull request opened, on hosts that have them. */
  pullRequestUrl?: string;
  /** The branch proposed, for `via: pull-request`. */
  branch?: string;
}

/**
 * Commits the pin change: pushed to the branch only while it is still at
 * the commit the plan read (ConflictError otherwise), or, for `via:
 * pull-request`, on a new branch opened as a pull request where the host
 * has them. The branch head is then forgotten, so the card reads the new
 * pin at once.
 */
export async function executeGitopsPromotion(
  facts: StageflowFacts,
  plan: GitopsPromotion,
): Promise<GitopsPromotionResult> {
  if (!plan.diff) {
    return {};
  }
  const repository = facts.repository(plan.locator);
  if (!plan.proposal) {
    const commit = await repository.commitFile({
      branch: plan.branch,
      parent: plan.parent,
      path: plan.path,
      content: plan.after,
      message: plan.message,
    });
    await facts.forget({ repository: plan.locator, branches: [plan.branch] });
    return { commit: commit.sha };
  }
  const { proposal } = plan;
  const commit = await repository.commitFile({
    branch: proposal.branch,
    parent: plan.parent,
    createBranch: true,
    path: plan.path,
    content: plan.after,
    message: plan.message,
  });
  const pullRequest = await repository.openPullRequest({
    head: proposal.branch,
    base: plan.branch,
    title: proposal.title,
    body: proposal.body,
  });
  return {
    commit: commit.sha,
    branch: proposal.branch,
    ...(pullRequest ? { pullRequestUrl: pullRequest.url } : {}),
  };
}
