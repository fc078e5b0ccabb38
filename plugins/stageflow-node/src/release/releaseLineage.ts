import { ConflictError } from '@backstage/errors';
import {
  FlowDefinition,
  Release,
  renderFlowTemplate,
} from '@stageflow/plugin-stageflow-common';
import { GitRepository } from '../git';

async function isAncestor(
  repository: GitRepository,
  sha: string,
  of: string,
): Promise<boolean> {
  if (sha === of) {
    return true;
  }
  return (await repository.compare(sha, of)).behindBy === 0;
}

/**
 * Where a commit stands in the flow: on the release branch, or on a hotfix
 * branch that does not contain the latest release (merged back or not).
 * A commit on neither is a ConflictError.
 */
export async function releaseLineage(
  repository: GitRepository,
  flow: FlowDefinition,
  sha: string,
  latest: Release | undefined,
): Promise<{ branch: string; hotfix: boolean }> {
  const releaseBranch = flow.branches.release;
  const head = await repository.resolveCommit(releaseBranch);
  const onRelease = await isAncestor(repository, sha, head.sha);
  const prefix = renderFlowTemplate(flow.branches.hotfix, { name: '' });
  let hotfixBranch: string | undefined;
  for (const branch of await repository.listBranches()) {
    if (
      branch.name.startsWith(prefix) &&
      (await isAncestor(repository, sha, branch.sha))
    ) {
      hotfixBranch = branch.name;
      break;
    }
  }
  if (!onRelease && !hotfixBranch) {
    throw new ConflictError(
      `Commit ${sha.slice(
        0,
        7,
      )} is neither on ${releaseBranch} nor on a ${prefix}* branch: it is outside the release lineage of flow ${
        flow.name
      }`,
    );
  }
  const containsLatest =
    latest !== undefined && (await isAncestor(repository, latest.sha, sha));
  if (hotfixBranch && !containsLatest) {
    return { branch: hotfixBranch, hotfix: true };
  }
  return { branch: releaseBranch, hotfix: false };
}

/**
 * The newest release the commit contains: what it is based on. One ancestry
 * query for every release (newest first), not one compare per release.
 */
export async function baseRelease(
  repository: GitRepository,
  releases: Release[],
  sha: string,
): Promise<Release | undefined> {
  const candidates = releases.filter(r => !r.prerelease);
  const found = await repository.newestAncestor(
    sha,
    candidates.map(r => r.sha),
  );
  return found ? candidates.find(r => r.sha === found) : undefined;
}
