import { ConflictError } from '@backstage/errors';
import type { GitCommit, GitFileCommitRequest, GitPullRequest } from './types';
import type { GithubOctokit } from './githubOctokit';

/** What the file operations need of a GitHub client. */
export interface GithubFileContext {
  octokit: GithubOctokit;
  owner: string;
  repo: string;
  /** Runs a call, mapping a failure as the client does. */
  call<T>(operation: string, fn: () => Promise<T>): Promise<T>;
}

async function readContent(
  context: GithubFileContext,
  ref: string,
  path: string,
): Promise<{ text: string; sha: string } | undefined> {
  const { octokit, owner, repo } = context;
  try {
    const { data } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path,
      ref,
    });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
      return undefined;
    }
    return {
      text: Buffer.from(data.content, 'base64').toString('utf8'),
      sha: data.sha,
    };
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      return undefined;
    }
    return context.call(`read ${path} at ${ref}`, () => Promise.reject(error));
  }
}

/** A file's text at a ref, through the contents API. */
export async function readGithubFile(
  context: GithubFileContext,
  ref: string,
  path: string,
): Promise<string | undefined> {
  return (await readContent(context, ref, path))?.text;
}

/**
 * The commit of {@link GitFileCommitRequest} through the contents API,
 * which commits on the branch head: so the head is checked (or the branch
 * created) at `parent` first, and the file's blob sha makes GitHub refuse
 * (409) a change of the file made meanwhile.
 */
export async function commitGithubFile(
  context: GithubFileContext,
  request: GitFileCommitRequest,
): Promise<GitCommit> {
  const { octokit, owner, repo, call } = context;
  const { branch, parent, path } = request;
  if (request.createBranch) {
    await call(`create branch ${branch}`, () =>
      octokit.rest.git.createRef({
        owner,
        repo,
        ref: `refs/heads/${branch}`,
        sha: parent,
      }),
    );
  } else {
    const { data } = await call(`read branch ${branch}`, () =>
      octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }),
    );
    if (data.object.sha !== parent) {
      throw new ConflictError(
        `Branch ${branch} of ${owner}/${repo} moved on from ${parent.slice(
          0,
          7,
        )} meanwhile; try again`,
      );
    }
  }
  const existing = await readContent(context, parent, path);
  const { data } = await call(`commit ${path} to ${branch}`, () =>
    octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path,
      branch,
      message: request.message,
      content: Buffer.from(request.content, 'utf8').toString('base64'),
      ...(existing ? { sha: existing.sha } : {}),
      ...(request.author
        ? {
            author: { name: request.author.name, email: request.author.email },
          }
        : {}),
    }),
  );
  const commit = data.commit;
  return {
    sha: commit.sha ?? '',
    message: commit.message ?? request.message,
    ...(commit.author?.name
      ? {
          author: {
            name: commit.author.name,
            email: commit.author.email ?? '',
            ...(commit.author.date ? { date: commit.author.date } : {}),
          },
        }
      : {}),
    ...(commit.committer?.date ? { date: commit.committer.date } : {}),
  };
}

/** Opens a pull request of `head` into `base`. */
export async function openGithubPullRequest(
  context: GithubFileContext,
  request: { head: string; base: string; title: string; body: string },
): Promise<GitPullRequest> {
  const { octokit, owner, repo, call } = context;
  const { data } = await call(
    `open a pull request of ${request.head} into ${request.base}`,
    () => octokit.rest.pulls.create({ owner, repo, ...request }),
  );
  return { number: data.number, url: data.html_url };
}
