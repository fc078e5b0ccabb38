import { InputError, NotFoundError } from '@backstage/errors';
import {
  CompareCommit,
  FlowDefinition,
  Release,
  renderFlowTemplate,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import { parseConventionalCommit } from '../../git/conventionalCommits';
import { listReleases } from '../../git/listReleases';
import type { GitCommit, GitRepository } from '../../git/types';

/** A commit as the card and the compare view show it. */
export function toCompareCommit(commit: GitCommit): CompareCommit {
  const parsed = parseConventionalCommit(commit.message);
  const date = commit.date ?? commit.author?.date;
  return {
    sha: commit.sha,
    subject: commit.message.split('\n')[0],
    type: parsed.type ?? 'other',
    breaking: parsed.breaking,
    ...(commit.author?.name ? { author: commit.author.name } : {}),
    ...(date ? { date } : {}),
  };
}

/** Whether the flow integrates on another branch than it releases from (GitFlow). */
export function hasIntegrationBranch(flow: FlowDefinition): boolean {
  return flow.branches.develop !== flow.branches.release;
}

/** `hotfix/` of `hotfix/{name}`: what every hotfix branch of the flow starts with. */
export function hotfixPrefix(flow: FlowDefinition): string {
  return flow.branches.hotfix.split('{name}')[0];
}

/** The hotfix branch for a name, checked against git's ref rules. */
export function hotfixBranch(flow: FlowDefinition, name: string): string {
  const branch = renderFlowTemplate(flow.branches.hotfix, { name });
  const valid = validateRefName(branch);
  if (!valid.ok) {
    throw new InputError(
      `Invalid input: name gives the branch '${branch}', which git refuses: ${valid.message}`,
    );
  }
  return branch;
}

/** The releases of the flow's tag pattern, newest first, unless given. */
export async function releasesOf(
  repository: GitRepository,
  flow: FlowDefinition,
  releases?: Release[],
): Promise<Release[]> {
  return releases ?? listReleases(repository, flow.tagPattern);
}

/** The newest release that is not a prerelease. */
export function latestRelease(releases: Release[]): Release | undefined {
  return releases.find(release => !release.prerelease);
}

/**
 * The commits reachable from any of `heads` and not from `base`, newest
 * first, each once. Without a base (no release yet) there is nothing to
 * count from, and the list is empty.
 */
export async function commitsSince(
  repository: GitRepository,
  base: string | undefined,
  heads: string[],
): Promise<GitCommit[]> {
  const seen = new Map<string, GitCommit>();
  for (const head of heads) {
    if (!base) {
      break;
    }
    for (const commit of (await repository.compare(base, head)).commits) {
      seen.set(commit.sha, commit);
    }
  }
  return [...seen.values()].sort(
    (a, b) => Date.parse(b.date ?? '') - Date.parse(a.date ?? '') || 0,
  );
}

/** A branch the caller names must exist: an InputError naming the field. */
export async function requireBranch(
  repository: GitRepository,
  branch: string,
  field: string,
) {
  try {
    return await repository.resolveCommit(branch);
  } catch (error) {
    if (
      error instanceof NotFoundError ||
      (error as Error)?.name === 'NotFoundError'
    ) {
      throw new InputError(
        `${field} ${branch} does not exist in the repository`,
      );
    }
    throw error;
  }
}

/** What a merge found by a dry run would come to. */
export function plannedOutcome(
  upToDate: boolean,
  via: 'merge' | 'pull-request',
): 'merged' | 'pull-request' | 'up-to-date' {
  if (upToDate) {
    return 'up-to-date';
  }
  return via === 'pull-request' ? 'pull-request' : 'merged';
}
