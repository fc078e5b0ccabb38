import type {
  FlowDefinition,
  HotfixesResponse,
  Release,
} from '@stageflow/plugin-stageflow-common';
import type { GitBranch, GitRepository } from '../../git/types';
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
  // Fixes already cherry-picked (`-x` names their source) onto what prod
  // runs or onto an open hotfix are no candidates any more, though their
  // own shas are not in prod.
  const picked = new Set<string>();
  for (const branch of branches) {
    const own = await ownCommits(repository, flow, branch.name);
    own.forEach(commit => cherryPickSources(commit.message, picked));
    const fromTag = await startingRelease(repository, releases, branch);
    open.push({
      branch: branch.name,
      sha: branch.sha,
      ...(fromTag ? { fromTag } : {}),
    });
  }
  if (!prodSha) {
    return { open, candidates: [] };
  }
  // What prod runs beyond the release it builds on holds its cherry-picks,
  // merged back into the release branch or not.
  const prodBase = await startingRelease(repository, releases, {
    name: prodSha,
    sha: prodSha,
  });
  const prodOwn = prodBase
    ? (await repository.compare(prodBase, prodSha)).commits
    : await ownCommits(repository, flow, prodSha);
  prodOwn.forEach(commit => cherryPickSources(commit.message, picked));
  const candidates = (
    await repository.compare(prodSha, flow.branches.release)
  ).commits
    .filter(commit => !picked.has(commit.sha))
    .map(toCompareCommit)
    .filter(commit => HOTFIX_TYPES.has(commit.type.toLowerCase()))
    .reverse();
  return { open, candidates };
}

/** The commits of a hotfix branch (or commit) that the release branch lacks. */
async function ownCommits(
  repository: GitRepository,
  flow: FlowDefinition,
  head: string,
) {
  return (await repository.compare(flow.branches.release, head)).commits;
}

function cherryPickSources(message: string, into: Set<string>) {
  for (const match of message.matchAll(
    /^\(cherry picked from commit ([0-9a-f]{40})\)$/gm,
  )) {
    into.add(match[1]);
  }
}

/**
 * The release a hotfix branch builds on: the newest release it contains,
 * other than one on its head (a hotfix tagged at its tip is its result,
 * not its start).
 */
async function startingRelease(
  repository: GitRepository,
  releases: Release[],
  branch: GitBranch,
): Promise<string | undefined> {
  for (const release of releases) {
    if (release.sha === branch.sha) {
      continue;
    }
    if ((await repository.compare(release.sha, branch.name)).behindBy === 0) {
      return release.tag;
    }
  }
  return undefined;
}
