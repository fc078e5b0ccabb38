import {
  ConflictError,
  NotFoundError,
  NotImplementedError,
} from '@backstage/errors';
import { GitConflictError } from './errors';
import type { GithubOctokit } from './githubOctokit';
import { toGithubError } from './githubErrors';
import type {
  GitCommit,
  GitHostRelease,
  GitMergeCheck,
  GitMergeRequest,
  GitMergeResult,
  GitPullRequest,
} from './types';

/**
 * The branch lifecycle on a GitHub host (merges, pull requests, releases,
 * branch deletion), for {@link GithubGitClient} to delegate to.
 */
export interface GithubRepositoryContext {
  octokit: GithubOctokit;
  host: string;
  owner: string;
  repo: string;
}

interface CommitData {
  sha: string;
  commit: {
    message: string;
    author?: { name?: string; email?: string; date?: string } | null;
    committer?: { date?: string } | null;
  };
}

async function call<T>(
  context: GithubRepositoryContext,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toGithubError(error, {
      host: context.host,
      repository: `${context.owner}/${context.repo}`,
      operation,
    });
  }
}

function toCommit(data: CommitData): GitCommit {
  const author = data.commit.author;
  return {
    sha: data.sha,
    message: data.commit.message,
    ...(author?.name !== undefined
      ? {
          author: {
            name: author.name,
            email: author.email ?? '',
            ...(author.date ? { date: author.date } : {}),
          },
        }
      : {}),
    ...(data.commit.committer?.date
      ? { date: data.commit.committer.date }
      : {}),
  };
}

/** `into...from`: what `from` brings, newest first (compare returns oldest first). */
async function incoming(
  context: GithubRepositoryContext,
  from: string,
  into: string,
) {
  const { data } = await call(context, `compare ${into}...${from}`, () =>
    context.octokit.rest.repos.compareCommitsWithBasehead({
      owner: context.owner,
      repo: context.repo,
      basehead: `${into}...${from}`,
      per_page: 100,
    }),
  );
  return {
    aheadBy: data.ahead_by,
    intoSha: data.base_commit.sha,
    fromSha: data.commits.length
      ? data.commits[data.commits.length - 1].sha
      : undefined,
    commits: (data.commits as CommitData[]).map(toCommit).reverse(),
  };
}

async function openPullRequest(
  context: GithubRepositoryContext,
  from: string,
  into: string,
): Promise<GitPullRequest | undefined> {
  const { data } = await call(context, 'list pull requests', () =>
    context.octokit.rest.pulls.list({
      owner: context.owner,
      repo: context.repo,
      state: 'open',
      head: `${context.owner}:${from}`,
      base: into,
      per_page: 1,
    }),
  );
  return data.length ? readPullRequest(context, data[0].number) : undefined;
}

async function readPullRequest(
  context: GithubRepositoryContext,
  number: number,
): Promise<GitPullRequest> {
  // Only the single-pull read carries `mergeable` (null while GitHub
  // computes it).
  const { data } = await call(context, `read pull request ${number}`, () =>
    context.octokit.rest.pulls.get({
      owner: context.owner,
      repo: context.repo,
      pull_number: number,
    }),
  );
  return {
    number: data.number,
    url: data.html_url,
    ...(typeof data.mergeable === 'boolean'
      ? { mergeable: data.mergeable }
      : {}),
  };
}

export async function githubCheckMerge(
  context: GithubRepositoryContext,
  options: { from: string; into: string },
): Promise<GitMergeCheck> {
  const { from, into } = options;
  const state = await incoming(context, from, into);
  const upToDate = state.aheadBy === 0;
  const pullRequest = upToDate
    ? undefined
    : await openPullRequest(context, from, into);
  return {
    from,
    into,
    fromSha: state.fromSha ?? state.intoSha,
    intoSha: state.intoSha,
    upToDate,
    commits: state.commits,
    // GitHub tells conflicts only for a pull request, and not which files.
    ...(upToDate ? { conflicts: [] } : {}),
    ...(pullRequest ? { pullRequest } : {}),
  };
}

export async function githubMergeBranch(
  context: GithubRepositoryContext,
  request: GitMergeRequest,
): Promise<GitMergeResult> {
  const { from, into } = request;
  const state = await incoming(context, from, into);
  if (state.aheadBy === 0) {
    return { outcome: 'up-to-date', sha: state.intoSha, commits: [] };
  }
  if (request.via === 'pull-request') {
    const existing = await openPullRequest(context, from, into);
    if (existing) {
      return {
        outcome: 'pull-request',
        commits: state.commits,
        pullRequest: existing,
      };
    }
    const { data } = await call(
      context,
      `open a pull request ${from} into ${into}`,
      () =>
        context.octokit.rest.pulls.create({
          owner: context.owner,
          repo: context.repo,
          title: request.message,
          head: from,
          base: into,
          ...(request.body ? { body: request.body } : {}),
        }),
    );
    return {
      outcome: 'pull-request',
      commits: state.commits,
      pullRequest: await readPullRequest(context, data.number),
    };
  }
  try {
    const response = await context.octokit.rest.repos.merge({
      owner: context.owner,
      repo: context.repo,
      base: into,
      head: from,
      commit_message: request.message,
    });
    // 204: nothing to merge (the typings know only 201).
    if ((response.status as number) === 204) {
      return { outcome: 'up-to-date', sha: state.intoSha, commits: [] };
    }
    return {
      outcome: 'merged',
      sha: response.data.sha,
      commits: state.commits,
    };
  } catch (error) {
    if ((error as { status?: number }).status === 409) {
      throw new GitConflictError(
        `Merging ${from} into ${into} conflicts on ${context.host} (GitHub does not name the files); nothing was merged`,
        { files: [] },
      );
    }
    throw toGithubError(error, {
      host: context.host,
      repository: `${context.owner}/${context.repo}`,
      operation: `merge ${from} into ${into}`,
    });
  }
}

export async function githubDeleteBranch(
  context: GithubRepositoryContext,
  name: string,
  options: { expectedSha?: string },
): Promise<void> {
  if (options.expectedSha) {
    const { data } = await call(context, `read branch ${name}`, () =>
      context.octokit.rest.git.getRef({
        owner: context.owner,
        repo: context.repo,
        ref: `heads/${name}`,
      }),
    );
    if (!data.object.sha.startsWith(options.expectedSha)) {
      throw new ConflictError(
        `Branch ${name} moved to ${data.object.sha.slice(0, 7)} on ${
          context.host
        }; not deleted`,
      );
    }
  }
  try {
    await context.octokit.rest.git.deleteRef({
      owner: context.owner,
      repo: context.repo,
      ref: `heads/${name}`,
    });
  } catch (error) {
    // GitHub answers a missing ref with 422, not 404.
    const { status, message } = error as { status?: number; message?: string };
    if (status === 422 && /does not exist/i.test(message ?? '')) {
      throw new NotFoundError(`No branch ${name} on ${context.host}`);
    }
    throw toGithubError(error, {
      host: context.host,
      repository: `${context.owner}/${context.repo}`,
      operation: `delete branch ${name}`,
    });
  }
}

export async function githubCreateRelease(
  context: GithubRepositoryContext,
  options: { tag: string; name: string; notes: string; prerelease?: boolean },
): Promise<GitHostRelease> {
  const { data } = await call(context, `create release ${options.tag}`, () =>
    context.octokit.rest.repos.createRelease({
      owner: context.owner,
      repo: context.repo,
      tag_name: options.tag,
      name: options.name,
      body: options.notes,
      prerelease: options.prerelease ?? false,
    }),
  );
  return {
    tag: data.tag_name,
    name: data.name ?? options.name,
    notes: data.body ?? '',
    url: data.html_url,
    prerelease: data.prerelease,
  };
}

/** GitHub has no cherry-pick; Stageflow does not emulate one with temporary branches. */
export function githubCherryPickUnsupported(host: string): never {
  throw new NotImplementedError(
    `Cherry-picks are not supported on GitHub hosts (${host}) yet; start the hotfix without cherryPick and open a pull request of the fixes`,
  );
}
