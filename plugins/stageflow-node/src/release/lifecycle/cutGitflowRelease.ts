import { InputError } from '@backstage/errors';
import {
  computeBump,
  FlowDefinition,
  nextVersion,
  Release,
  VersionBump,
} from '@stageflow/plugin-stageflow-common';
import type { GitCommit, GitPerson, GitRepository } from '../../git/types';
import {
  plannedOutcome,
  commitsSince,
  hasIntegrationBranch,
  latestRelease,
  releasesOf,
  toCompareCommit,
} from './lifecycleCommits';

/** @public */
export interface CutGitflowReleaseInput {
  /**
   * The merge commit's message; default `chore: release <version>` with the
   * given version, else with the version the bump implies, else
   * `chore: merge dev into main`.
   */
  message?: string;
  /** The version the caller will tag, when it is not the implied one. */
  version?: string;
  dryRun?: boolean;
  /** `merge` (default: the tag needs the merge commit at once) or `pull-request`. */
  via?: 'merge' | 'pull-request';
  author?: GitPerson;
  /** The releases, when the caller has them already. */
  releases?: Release[];
}

/**
 * What cutting a GitFlow release did: the commit to tag (`sha`: the merge,
 * or the release branch's head when there was nothing to merge), and what
 * the release contains since the latest release, with the bump it implies.
 *
 * @public
 */
export interface CutGitflowReleaseResult {
  from: string;
  into: string;
  outcome: 'merged' | 'up-to-date' | 'pull-request';
  /** The commit to tag; absent while a pull request is open (or in a dry run that merges). */
  sha?: string;
  pullRequestUrl?: string;
  /** Dry runs: the files that would conflict (undefined: the host cannot tell). */
  conflicts?: string[];
  baseTag?: string;
  /** The commits since the latest release on either branch, newest first. */
  commits: GitCommit[];
  bump: VersionBump;
  /** The version the bump leads to, when there is a bump. */
  nextVersion?: string;
}

/**
 * Cuts a GitFlow release: merges the integration branch (`dev`) into the
 * release branch (`main`) with a merge commit, which the caller then tags.
 * The bump comes from the commits the release brings: those on either
 * branch since the latest release. A conflict is a GitConflictError naming
 * the files, and nothing is pushed; a dry run checks the merge only.
 *
 * @public
 */
export async function cutGitflowRelease(
  repository: GitRepository,
  flow: FlowDefinition,
  input: CutGitflowReleaseInput = {},
): Promise<CutGitflowReleaseResult> {
  if (!hasIntegrationBranch(flow)) {
    throw new InputError(
      `The ${flow.name} flow releases from ${flow.branches.release}, which it also integrates on: there is nothing to merge before tagging`,
    );
  }
  const { release: into, develop: from } = flow.branches;
  const releases = await releasesOf(repository, flow, input.releases);
  const base = latestRelease(releases);
  const commits = await commitsSince(repository, base?.tag, [into, from]);
  const bump = computeBump(commits.map(toCompareCommit));
  const summary = {
    from,
    into,
    ...(base ? { baseTag: base.tag } : {}),
    commits,
    bump,
    ...(bump !== 'none'
      ? { nextVersion: nextVersion(base?.version, bump) }
      : {}),
  };
  if (input.dryRun) {
    const check = await repository.checkMerge({ from, into });
    return {
      ...summary,
      outcome: plannedOutcome(check.upToDate, input.via ?? 'merge'),
      ...(check.upToDate ? { sha: check.intoSha } : {}),
      ...(check.pullRequest ? { pullRequestUrl: check.pullRequest.url } : {}),
      ...(check.conflicts ? { conflicts: check.conflicts } : {}),
    };
  }
  const merged = await repository.mergeBranch({
    from,
    into,
    message:
      input.message ??
      defaultMessage(input.version ?? summary.nextVersion, from, into),
    via: input.via ?? 'merge',
    ...(input.author ? { author: input.author } : {}),
  });
  return {
    ...summary,
    outcome: merged.outcome,
    ...(merged.outcome !== 'pull-request' && merged.sha
      ? { sha: merged.sha }
      : {}),
    ...(merged.pullRequest ? { pullRequestUrl: merged.pullRequest.url } : {}),
  };
}

function defaultMessage(
  version: string | undefined,
  from: string,
  into: string,
) {
  return version
    ? `chore: release ${version}`
    : `chore: merge ${from} into ${into}`;
}
