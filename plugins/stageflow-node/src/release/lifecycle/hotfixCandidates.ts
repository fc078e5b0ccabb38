import type {
  FlowDefinition,
  HotfixesResponse,
  Release,
} from '@stageflow/plugin-stageflow-common';
import type { GitRepository } from '../../git/types';
import {
  hotfixPrefix,
  latestRelease,
  releasesOf,
  toCompareCommit,
} from './lifecycleCommits';

const HOTFIX_TYPES = new Set(['fix', 'perf']);

/** @public */
export interface HotfixCandidatesInput {
  /** The commit the last stage (prod) runs; default: the latest release. */
  prodSha?: string;
  releases?: Release[];
}

/**
 * The open hotfix branches (with the release each started from), and the
 * `fix:` / `perf:` commits on the release branch that prod does not run
 * yet, oldest first, as choices for cherry-picking onto a hotfix.
 *
 * @public
 */
export async function hotfixCandidates(
  repository: GitRepository,
  flow: FlowDefinition,
  input: HotfixCandidatesInput = {},
): Promise<HotfixesResponse> {
  const releases = await releasesOf(repository, flow, input.releases);
  const prodSha = input.prodSha ?? latestRelease(releases)?.sha;
  const prefix = hotfixPrefix(flow);
  const branches = (await repository.listBranches()).filter(
    branch => branch.name.startsWith(prefix) && branch.name !== prefix,
  );
  const open: HotfixesResponse['open'] = [];
  for (const branch of branches) {
    const fromTag = await startingRelease(
      repository,
      flow,
      releases,
      branch.name,
    );
    open.push({
      branch: branch.name,
      sha: branch.sha,
      ...(fromTag ? { fromTag } : {}),
    });
  }
  const candidates = prodSha
    ? (await repository.compare(prodSha, flow.branches.release)).commits
        .map(toCompareCommit)
        .filter(commit => HOTFIX_TYPES.has(commit.type.toLowerCase()))
        .reverse()
    : [];
  return { open, candidates };
}

/**
 * The release a hotfix branch started from: the newest release it contains
 * that is not one of its own commits (a hotfix tagged on the branch is its
 * result, not its start).
 */
async function startingRelease(
  repository: GitRepository,
  flow: FlowDefinition,
  releases: Release[],
  branch: string,
): Promise<string | undefined> {
  const own = new Set(
    (await repository.compare(flow.branches.release, branch)).commits.map(
      commit => commit.sha,
    ),
  );
  for (const release of releases) {
    if (own.has(release.sha)) {
      continue;
    }
    if ((await repository.compare(release.sha, branch)).behindBy === 0) {
      return release.tag;
    }
  }
  return undefined;
}
