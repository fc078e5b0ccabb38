import { ConflictError, InputError } from '@backstage/errors';
import { GitConflictError } from '../errors';
import { GitCommandError } from '../runGit';
import type {
  GitBranch,
  GitCherryPickCheck,
  GitMergeCheck,
  GitMergeResult,
  GitPerson,
} from '../types';
import { parseNameList } from './gitOutput';
import type { PlainClone } from './PlainClone';
import { commitsBetween } from './plainReads';

/**
 * Merges and cherry-picks of {@link PlainClone}: made by git itself in a
 * throw-away work tree of the cached clone, then pushed in one push with a
 * lease, so that a conflict or a lost race pushes nothing.
 */

type Identity = Pick<GitPerson, 'name' | 'email'>;

type Attempt =
  | { sha: string }
  | { conflict: { commit?: string; files: string[] } };

function identityEnv(author: Identity, committer: Identity) {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
}

async function unmergedFiles(clone: PlainClone, dir: string) {
  const { stdout } = await clone.gitOnline(
    ['diff', '--name-only', '-z', '--diff-filter=U'],
    { cwd: dir },
  );
  return parseNameList(stdout);
}

async function isAncestor(clone: PlainClone, ancestor: string, of: string) {
  try {
    await clone.git(['merge-base', '--is-ancestor', ancestor, of]);
    return true;
  } catch (error) {
    if (error instanceof GitCommandError && error.exitCode === 1) {
      return false;
    }
    throw error;
  }
}

/** git's own words for a refusal that is not a conflict, for messages. */
function reason(error: unknown) {
  return error instanceof GitCommandError
    ? `${error.stdout}\n${error.stderr}`
        .split('\n')
        .map(line => line.trim())
        .filter(Boolean)
        .slice(-1)[0]
    : String(error);
}

async function attemptMerge(
  clone: PlainClone,
  options: {
    intoSha: string;
    fromSha: string;
    message: string;
    env: Record<string, string>;
    describe: string;
  },
): Promise<Attempt> {
  return clone.withWorktree(options.intoSha, async dir => {
    try {
      await clone.gitOnline(
        [
          'merge',
          '--quiet',
          '--no-ff',
          '--no-edit',
          '-m',
          options.message,
          options.fromSha,
        ],
        { cwd: dir, env: options.env },
      );
    } catch (error) {
      const files = await unmergedFiles(clone, dir);
      if (files.length === 0) {
        throw new ConflictError(
          `Cannot ${options.describe} in ${clone.name}: ${reason(error)}`,
        );
      }
      return { conflict: { files } };
    }
    const { stdout } = await clone.gitOnline(['rev-parse', 'HEAD'], {
      cwd: dir,
    });
    return { sha: stdout.trim() };
  });
}

async function attemptCherryPicks(
  clone: PlainClone,
  options: { baseSha: string; commits: string[]; env: Record<string, string> },
): Promise<Attempt> {
  return clone.withWorktree(options.baseSha, async dir => {
    for (const commit of options.commits) {
      try {
        // -x records where the fix came from in the new commit's message.
        await clone.gitOnline(['cherry-pick', '-x', commit], {
          cwd: dir,
          env: options.env,
        });
      } catch (error) {
        const files = await unmergedFiles(clone, dir);
        if (files.length > 0) {
          return { conflict: { commit, files } };
        }
        if (/empty/.test(reason(error))) {
          throw new InputError(
            `Commit ${commit.slice(
              0,
              7,
            )} changes nothing on this base: its change is already there`,
          );
        }
        throw error;
      }
    }
    const { stdout } = await clone.gitOnline(['rev-parse', 'HEAD'], {
      cwd: dir,
    });
    return { sha: stdout.trim() };
  });
}

async function resolveCommits(clone: PlainClone, refs: string[]) {
  const shas: string[] = [];
  for (const ref of refs) {
    const sha = await clone.resolve(ref);
    const parents = (await clone.git(['rev-list', '--parents', '-n', '1', sha]))
      .trim()
      .split(' ');
    if (parents.length > 2) {
      throw new InputError(
        `Commit ${ref} is a merge commit; cherry-pick the commits it merged instead`,
      );
    }
    shas.push(sha);
  }
  return shas;
}

async function mergeState(clone: PlainClone, from: string, into: string) {
  await clone.sync();
  const fromSha = await clone.resolve(from);
  const intoSha = await clone.resolve(into);
  const upToDate = await isAncestor(clone, fromSha, intoSha);
  const commits = upToDate ? [] : await commitsBetween(clone, intoSha, fromSha);
  return { fromSha, intoSha, upToDate, commits };
}

export async function checkMerge(
  clone: PlainClone,
  options: { from: string; into: string; identity: Identity },
): Promise<GitMergeCheck> {
  const { from, into } = options;
  return clone.exclusive(`check merging ${from} into ${into}`, async () => {
    const state = await mergeState(clone, from, into);
    let conflicts: string[] = [];
    if (!state.upToDate) {
      const attempt = await attemptMerge(clone, {
        ...state,
        message: `Merge ${from} into ${into}`,
        env: identityEnv(options.identity, options.identity),
        describe: `merge ${from} into ${into}`,
      });
      conflicts = 'conflict' in attempt ? attempt.conflict.files : [];
    }
    return { from, into, ...state, conflicts };
  });
}

export async function mergeBranch(
  clone: PlainClone,
  options: {
    from: string;
    into: string;
    message: string;
    author: Identity;
    identity: Identity;
  },
): Promise<GitMergeResult> {
  const { from, into } = options;
  return clone.exclusive(`merge ${from} into ${into}`, async () => {
    const state = await mergeState(clone, from, into);
    if (state.upToDate) {
      return { outcome: 'up-to-date', sha: state.intoSha, commits: [] };
    }
    const attempt = await attemptMerge(clone, {
      ...state,
      message: options.message,
      env: identityEnv(options.author, options.identity),
      describe: `merge ${from} into ${into}`,
    });
    if ('conflict' in attempt) {
      const files = attempt.conflict.files;
      throw new GitConflictError(
        `Merging ${from} into ${into} conflicts in ${files.join(
          ', ',
        )}; nothing was pushed`,
        { files },
      );
    }
    const ref = `refs/heads/${into}`;
    // The lease refuses the push if `into` moved since it was merged.
    await clone.push(
      ref,
      attempt.sha,
      [`--force-with-lease=${ref}:${state.intoSha}`],
      `${into} moved while merging ${from}; nothing was pushed`,
    );
    await clone.git(['update-ref', ref, attempt.sha]);
    return { outcome: 'merged', sha: attempt.sha, commits: state.commits };
  });
}

export async function checkCherryPick(
  clone: PlainClone,
  options: { base: string; commits: string[]; identity: Identity },
): Promise<GitCherryPickCheck> {
  return clone.exclusive(
    `check cherry-picks onto ${options.base}`,
    async () => {
      await clone.sync();
      const baseSha = await clone.resolve(options.base);
      const commits = await resolveCommits(clone, options.commits);
      const attempt = await attemptCherryPicks(clone, {
        baseSha,
        commits,
        env: identityEnv(options.identity, options.identity),
      });
      return {
        baseSha,
        commits,
        conflicts:
          'conflict' in attempt
            ? [
                {
                  commit: attempt.conflict.commit!,
                  files: attempt.conflict.files,
                },
              ]
            : [],
      };
    },
  );
}

export async function cherryPick(
  clone: PlainClone,
  options: {
    branch: string;
    base: string;
    commits: string[];
    identity: Identity;
  },
): Promise<GitBranch> {
  const { branch } = options;
  return clone.exclusive(`cherry-pick onto ${branch}`, async () => {
    const state = await clone.sync();
    const ref = `refs/heads/${branch}`;
    if (state.refs.has(ref)) {
      throw new ConflictError(
        `Branch ${branch} already exists in ${clone.name}`,
      );
    }
    const baseSha = await clone.resolve(options.base);
    const commits = await resolveCommits(clone, options.commits);
    const attempt = await attemptCherryPicks(clone, {
      baseSha,
      commits,
      env: identityEnv(options.identity, options.identity),
    });
    if ('conflict' in attempt) {
      const { commit, files } = attempt.conflict;
      throw new GitConflictError(
        `Cherry-picking ${commit!.slice(0, 7)} onto ${
          options.base
        } conflicts in ${files.join(', ')}; nothing was pushed`,
        { files, commit },
      );
    }
    await clone.push(ref, attempt.sha, [`--force-with-lease=${ref}:`]);
    await clone.git(['update-ref', ref, attempt.sha]);
    return { name: branch, sha: attempt.sha };
  });
}
