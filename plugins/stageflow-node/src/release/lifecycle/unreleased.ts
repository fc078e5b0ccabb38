import {
  computeBump,
  FlowDefinition,
  nextVersion,
  Release,
  UnreleasedResponse,
} from '@stageflow/plugin-stageflow-common';
import type { GitRepository } from '../../git/types';
import {
  commitsSince,
  hasIntegrationBranch,
  latestRelease,
  releasesOf,
  toCompareCommit,
} from './lifecycleCommits';

/**
 * The commits on the release branch since the latest release, and the
 * version they imply. For a flow with an integration branch (GitFlow) the
 * next release merges it, so its commits count too.
 *
 * @public
 */
export async function unreleased(
  repository: GitRepository,
  flow: FlowDefinition,
  input: { releases?: Release[] } = {},
): Promise<UnreleasedResponse> {
  const releases = await releasesOf(repository, flow, input.releases);
  const latest = latestRelease(releases);
  const heads = hasIntegrationBranch(flow)
    ? [flow.branches.release, flow.branches.develop]
    : [flow.branches.release];
  const commits = (await commitsSince(repository, latest?.tag, heads)).map(
    toCompareCommit,
  );
  const bump = computeBump(commits);
  return {
    branch: flow.branches.release,
    ...(latest ? { latestRelease: latest } : {}),
    commits,
    bump,
    ...(bump !== 'none'
      ? { nextVersion: nextVersion(latest?.version, bump) }
      : {}),
  };
}
