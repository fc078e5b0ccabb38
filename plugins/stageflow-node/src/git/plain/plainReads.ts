import type { GitBranch, GitComparison, GitCommit, GitTag } from '../types';
import {
  COMMIT_FORMAT,
  parseCommits,
  parseTags,
  TAG_FORMAT,
} from './gitOutput';
import type { PlainClone } from './PlainClone';

/** Reads of {@link PlainClone}: each brings the clone up to date first. */

export async function listTags(clone: PlainClone): Promise<GitTag[]> {
  return clone.exclusive('list tags', async () => {
    await clone.sync();
    return parseTags(
      await clone.git(['for-each-ref', `--format=${TAG_FORMAT}`, 'refs/tags']),
    );
  });
}

export async function listBranches(clone: PlainClone): Promise<GitBranch[]> {
  return clone.exclusive('list branches', async () => {
    const state = await clone.sync();
    return [...state.refs]
      .filter(([ref]) => ref.startsWith('refs/heads/'))
      .map(([ref, sha]) => ({ name: ref.slice('refs/heads/'.length), sha }));
  });
}

export async function getDefaultBranch(clone: PlainClone): Promise<string> {
  return clone.exclusive('read the default branch', async () => {
    const state = await clone.lsRemote();
    if (state.head) {
      return state.head;
    }
    // Servers that do not advertise the HEAD symref: the clone recorded it.
    await clone.sync(state);
    return (await clone.git(['symbolic-ref', '--short', 'HEAD'])).trim();
  });
}

export async function resolveCommit(
  clone: PlainClone,
  ref: string,
): Promise<GitCommit> {
  return clone.exclusive(`resolve ${ref}`, async () => {
    await clone.sync();
    return clone.commit(await clone.resolve(ref));
  });
}

/** The commits of `headSha` not in `baseSha`, newest first (clone synced). */
export async function commitsBetween(
  clone: PlainClone,
  baseSha: string,
  headSha: string,
): Promise<GitCommit[]> {
  return parseCommits(
    await clone.git([
      'log',
      `--format=${COMMIT_FORMAT}`,
      `${baseSha}..${headSha}`,
    ]),
  );
}

export async function compare(
  clone: PlainClone,
  base: string,
  head: string,
): Promise<GitComparison> {
  return clone.exclusive(`compare ${base}...${head}`, async () => {
    await clone.sync();
    const baseSha = await clone.resolve(base);
    const headSha = await clone.resolve(head);
    const counts = await clone.git([
      'rev-list',
      '--left-right',
      '--count',
      `${baseSha}...${headSha}`,
    ]);
    const [behindBy, aheadBy] = counts.trim().split(/\s+/).map(Number);
    return {
      aheadBy,
      behindBy,
      commits: await commitsBetween(clone, baseSha, headSha),
    };
  });
}

/** The first candidate that is an ancestor of (or is) the commit: one walk of its history. */
export async function newestAncestor(
  clone: PlainClone,
  sha: string,
  candidates: string[],
): Promise<string | undefined> {
  return clone.exclusive(`find the base of ${sha}`, async () => {
    await clone.sync();
    const history = await clone.git(['rev-list', await clone.resolve(sha)]);
    const ancestors = new Set(history.split('\n'));
    return candidates.find(candidate => ancestors.has(candidate));
  });
}
