import { runGit } from '../../git/runGit';

/** git on the fake GitHub's bare repositories, as GitHub's own merges do it. */

const MERGER_ENV = {
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

export async function git(
  repo: string,
  args: string[],
  env?: Record<string, string>,
) {
  return (await runGit(args, { cwd: repo, env })).stdout.trim();
}

export async function tryGit(repo: string, args: string[]) {
  try {
    return await git(repo, args);
  } catch {
    return undefined;
  }
}

export function branchSha(repo: string, branch: string) {
  return tryGit(repo, [
    'rev-parse',
    '--verify',
    '--quiet',
    `refs/heads/${branch}^{commit}`,
  ]);
}

export async function commitish(repo: string, ref: string) {
  return (
    (await branchSha(repo, ref)) ??
    (await tryGit(repo, [
      'rev-parse',
      '--verify',
      '--quiet',
      `${ref}^{commit}`,
    ]))
  );
}

export async function isAncestor(repo: string, ancestor: string, of: string) {
  return (
    (await tryGit(repo, ['merge-base', '--is-ancestor', ancestor, of])) !==
    undefined
  );
}

/** The merged tree of two commits, or undefined when they conflict. */
export async function mergedTree(repo: string, base: string, head: string) {
  const out = await tryGit(repo, [
    'merge-tree',
    '--write-tree',
    '--no-messages',
    base,
    head,
  ]);
  return out?.split('\n')[0];
}

/** Makes the merge commit of `head` into branch `base` and moves the branch. */
export async function merge(
  repo: string,
  base: string,
  baseSha: string,
  headSha: string,
  message: string,
) {
  const tree = await mergedTree(repo, baseSha, headSha);
  if (!tree) {
    return undefined;
  }
  const sha = await git(
    repo,
    ['commit-tree', tree, '-p', baseSha, '-p', headSha, '-m', message],
    MERGER_ENV,
  );
  await git(repo, ['update-ref', `refs/heads/${base}`, sha, baseSha]);
  return sha;
}
