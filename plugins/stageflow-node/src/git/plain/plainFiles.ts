import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@backstage/errors';
import type { GitCommit, GitFileCommitRequest, GitPerson } from '../types';
import type { PlainClone } from './PlainClone';

/** File reads and one-file commits of {@link PlainClone}, for GitOps pins. */

/**
 * A file's text at a commit: the tree names its blob, which the partial
 * clone fetches on first read. Undefined when the commit has no such file.
 */
export async function readFile(
  clone: PlainClone,
  ref: string,
  path: string,
): Promise<string | undefined> {
  return clone.exclusive(`read ${path} at ${ref}`, async () => {
    await clone.sync();
    const commit = await clone.resolve(ref);
    const listing = await clone.git(['ls-tree', '-z', commit, '--', path]);
    const entry = listing.split('\0').find(line => line.endsWith(`\t${path}`));
    const [, type, oid] = /^\d+ (\w+) ([0-9a-f]+)\t/.exec(entry ?? '') ?? [];
    if (type !== 'blob') {
      return undefined;
    }
    return (await clone.gitOnline(['cat-file', 'blob', oid])).stdout;
  });
}

/**
 * The commit of {@link GitFileCommitRequest}, made in the bare clone
 * without a work tree (the blob, a tree from a private index seeded with
 * the parent's tree, the commit), pushed with a lease: only while the
 * branch is at `parent`, or, for a new branch, while there is none.
 */
export async function commitFile(
  clone: PlainClone,
  request: GitFileCommitRequest,
  identity: GitPerson,
): Promise<GitCommit> {
  const { branch, parent } = request;
  const author = request.author ?? identity;
  if (/[<>\n\r\0]/.test(`${author.name}${author.email}`)) {
    throw new InputError(
      'Author name and email must not contain <, > or line breaks',
    );
  }
  return clone.exclusive(`commit ${request.path} to ${branch}`, async () => {
    await clone.sync();
    const git = async (
      args: string[],
      options: { env?: Record<string, string> } = {},
    ) => (await clone.gitOnline(args, options)).stdout.trim();
    const scratch = await mkdtemp(join(tmpdir(), 'stageflow-index-'));
    let sha: string;
    try {
      const index = { GIT_INDEX_FILE: join(scratch, 'index') };
      const blob = (
        await clone.git(['hash-object', '-w', '--stdin'], request.content)
      ).trim();
      await git(['read-tree', parent], { env: index });
      await git(
        [
          'update-index',
          '--add',
          '--cacheinfo',
          `100644,${blob},${request.path}`,
        ],
        { env: index },
      );
      const tree = await git(['write-tree'], { env: index });
      const date = `${Math.floor(Date.now() / 1000)} +0000`;
      sha = await git(
        ['commit-tree', tree, '-p', parent, '-m', request.message],
        {
          env: {
            GIT_AUTHOR_NAME: author.name,
            GIT_AUTHOR_EMAIL: author.email,
            GIT_AUTHOR_DATE: date,
            GIT_COMMITTER_NAME: identity.name,
            GIT_COMMITTER_EMAIL: identity.email,
            GIT_COMMITTER_DATE: date,
          },
        },
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    const ref = `refs/heads/${branch}`;
    await clone.push(
      ref,
      sha,
      [`--force-with-lease=${ref}:${request.createBranch ? '' : parent}`],
      request.createBranch
        ? `Branch ${branch} already exists`
        : `Branch ${branch} moved on from ${parent.slice(
            0,
            7,
          )} meanwhile; try again`,
    );
    await clone.git(['update-ref', ref, sha]);
    return clone.commit(sha);
  });
}
