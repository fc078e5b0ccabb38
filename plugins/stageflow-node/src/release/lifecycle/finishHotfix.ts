import { InputError } from '@backstage/errors';
import type { FlowDefinition } from '@stageflow/plugin-stageflow-common';
import type {
  GitMergeCheck,
  GitMergeResult,
  GitPerson,
  GitRepository,
} from '../../git/types';
import type { FinishHotfixResult } from '../types';
import {
  plannedOutcome,
  hasIntegrationBranch,
  hotfixPrefix,
  requireBranch,
} from './lifecycleCommits';

/** @public */
export interface FinishHotfixInput {
  /** The hotfix branch, e.g. `hotfix/login`. */
  branch: string;
  deleteBranch?: boolean;
  dryRun?: boolean;
  /** `pull-request` on hosts that have them (default on GitHub), else `merge`. */
  via?: 'merge' | 'pull-request';
  author?: GitPerson;
}

/** One merge that finishing a hotfix makes (or would make). @public */
export interface FinishHotfixStep {
  from: string;
  into: string;
  outcome: FinishHotfixResult['outcome'];
  sha?: string;
  pullRequestUrl?: string;
  mergeable?: boolean;
  /** Dry runs: the files that would conflict (undefined: the host cannot tell). */
  conflicts?: string[];
}

/**
 * What finishing a hotfix did: the last merge in `from` / `into` (what the
 * `FinishHotfixResult` reports) and every merge in `steps`.
 *
 * @public
 */
export type FinishHotfixOutcome = Omit<FinishHotfixResult, 'entityRef'> & {
  steps: FinishHotfixStep[];
  conflicts?: string[];
};

/**
 * The merges that bring a hotfix home. Oneflow: the hotfix branch into
 * `develop`, so that its release tag is on develop. GitFlow (the hotfix
 * branched off the release branch `main`): the hotfix branch into `main`
 * when `main` lacks it, then `main` into `dev`, as the seed's diagram does.
 */
function plannedMerges(flow: FlowDefinition, branch: string) {
  const { release, develop } = flow.branches;
  return hasIntegrationBranch(flow)
    ? [
        { from: branch, into: release },
        { from: release, into: develop },
      ]
    : [{ from: branch, into: develop }];
}

function mergeability(check: GitMergeCheck) {
  if (check.conflicts) {
    return {
      conflicts: check.conflicts,
      mergeable: check.conflicts.length === 0,
    };
  }
  if (check.pullRequest?.mergeable !== undefined) {
    return { mergeable: check.pullRequest.mergeable };
  }
  return {};
}

function deletionPlan(
  branch: string,
  state: { branchDeleted: boolean; dryRun: boolean; merged: boolean },
) {
  if (state.branchDeleted) {
    return `deleted ${branch}`;
  }
  if (state.dryRun && state.merged) {
    return `would delete ${branch}`;
  }
  return `kept ${branch} until the pull request merges`;
}

function describe(step: FinishHotfixStep, dryRun: boolean) {
  const verb = dryRun ? 'would ' : '';
  switch (step.outcome) {
    case 'up-to-date':
      return `${step.into} already contains ${step.from}`;
    case 'pull-request':
      return `${dryRun ? 'would open' : 'opened'} a pull request of ${
        step.from
      } into ${step.into}${
        step.pullRequestUrl ? ` (${step.pullRequestUrl})` : ''
      }${step.mergeable === false ? ', which cannot merge as it is' : ''}`;
    default:
      return `${verb}merge ${step.from} into ${step.into}${
        step.sha && !dryRun ? ` (${step.sha.slice(0, 7)})` : ''
      }${
        dryRun && step.conflicts?.length
          ? `, which conflicts in ${step.conflicts.join(', ')}`
          : ''
      }`;
  }
}

/**
 * Finishes a hotfix: merges it back (the merges `plannedMerges` names) with a
 * merge commit pushed from the clone, or through pull requests on GitHub;
 * deletes the hotfix branch once the integration branch contains it, when
 * asked. A conflict is a GitConflictError naming the files, and nothing is
 * pushed. A dry run checks every merge without pushing.
 *
 * @public
 */
export async function finishHotfix(
  repository: GitRepository,
  flow: FlowDefinition,
  input: FinishHotfixInput,
): Promise<FinishHotfixOutcome> {
  const { branch } = input;
  const prefix = hotfixPrefix(flow);
  if (!branch.startsWith(prefix) || branch.length === prefix.length) {
    throw new InputError(
      `Invalid input: branch must be a hotfix branch of the ${flow.name} flow (${flow.branches.hotfix}), not '${branch}'`,
    );
  }
  const hotfix = await requireBranch(repository, branch, 'branch');
  const via =
    input.via ??
    (repository.locator.type === 'github' ? 'pull-request' : 'merge');
  const dryRun = input.dryRun ?? false;
  const steps: FinishHotfixStep[] = [];
  for (const { from, into } of plannedMerges(flow, branch)) {
    if (dryRun) {
      const check = await repository.checkMerge({ from, into });
      steps.push({
        from,
        into,
        outcome: plannedOutcome(check.upToDate, via),
        ...(check.pullRequest ? { pullRequestUrl: check.pullRequest.url } : {}),
        ...mergeability(check),
      });
      continue;
    }
    const result: GitMergeResult = await repository.mergeBranch({
      from,
      into,
      message: `chore: merge ${from} into ${into}`,
      via,
      ...(input.author ? { author: input.author } : {}),
    });
    steps.push({
      from,
      into,
      outcome: result.outcome,
      ...(result.sha ? { sha: result.sha } : {}),
      ...(result.pullRequest
        ? {
            pullRequestUrl: result.pullRequest.url,
            ...(result.pullRequest.mergeable !== undefined
              ? { mergeable: result.pullRequest.mergeable }
              : {}),
          }
        : { mergeable: true }),
    });
    // A pull request must merge before the next step can build on it.
    if (result.outcome === 'pull-request') {
      break;
    }
  }
  const last = steps[steps.length - 1];
  const merged = steps.every(step => step.outcome !== 'pull-request');
  let branchDeleted = false;
  if (input.deleteBranch && merged && !dryRun) {
    await repository.deleteBranch(branch, { expectedSha: hotfix.sha });
    branchDeleted = true;
  }
  const conflicts = steps.flatMap(step => step.conflicts ?? []);
  const plan = [
    `${dryRun ? 'Dry run: finishing' : 'Finished'} ${branch}: ${steps
      .map(step => describe(step, dryRun))
      .join('; then ')}`,
    ...(input.deleteBranch
      ? [deletionPlan(branch, { branchDeleted, dryRun, merged })]
      : []),
  ].join('; ');
  return {
    from: last.from,
    into: last.into,
    outcome: last.outcome,
    ...(last.sha ? { sha: last.sha } : {}),
    ...(last.pullRequestUrl ? { pullRequestUrl: last.pullRequestUrl } : {}),
    ...(last.mergeable !== undefined ? { mergeable: last.mergeable } : {}),
    branchDeleted,
    plan,
    dryRun,
    steps,
    ...(dryRun && conflicts.length ? { conflicts } : {}),
  };
}
