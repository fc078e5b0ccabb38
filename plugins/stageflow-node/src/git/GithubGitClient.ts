import pLimit from 'p-limit';
import type {
  GitBranch,
  GitCherryPickCheck,
  GitComparison,
  GitCommit,
  GitFileCommitRequest,
  GitPerson,
  GitPullRequest,
  GitRepository,
  GitRepositoryLocator,
  GitTag,
  GitHostRelease,
  GitMergeCheck,
  GitMergeRequest,
  GitMergeResult,
} from './types';
import * as lifecycle from './githubLifecycle';
import type { GithubOctokit } from './githubOctokit';
import { toGithubError } from './githubErrors';
import { assertFullSha, assertValidRefName, assertValidRevision } from './refs';
import {
  commitGithubFile,
  openGithubPullRequest,
  readGithubFile,
} from './githubFiles';
import { assertSafeRepositoryPath } from './repositoryPaths';
import { GithubGraphqlLoader, GraphqlUnsupportedError } from './githubGraphql';
import {
  readComparison,
  readCommit,
  readDefaultBranch,
  readTags,
} from './githubGraphqlReads';

interface TagObject {
  commitSha: string;
  date?: string;
  message?: string;
}

interface GithubCommitData {
  sha: string;
  commit: {
    message: string;
    author?: { name?: string; email?: string; date?: string } | null;
    committer?: { date?: string } | null;
  };
}

const PAGE_SIZE = 100;
const MAX_REMEMBERED_ENDS = 256;
const TAG_READ_CONCURRENCY = 8;

/** Options of {@link GithubGitClient}. @public */
export interface GithubGitClientOptions {
  host: string;
  owner: string;
  repo: string;
  octokit: GithubOctokit;
  /**
   * Reads through GraphQL batches shared with the host's other
   * repositories; without one (or where the host refuses the query), REST.
   */
  graphql?: GithubGraphqlLoader;
}

/**
 * A repository on a GitHub host, through the REST API.
 *
 * @public
 */
export class GithubGitClient implements GitRepository {
  readonly locator: GitRepositoryLocator;
  readonly #octokit: GithubOctokit;
  readonly #owner: string;
  readonly #repo: string;
  readonly #host: string;
  readonly #graphql: GithubGraphqlLoader | undefined;
  // Tag objects never change, so one read per sha for the life of the process.
  readonly #tagObjects = new Map<string, Promise<TagObject>>();
  // The commits a comparison's ends name, read on the way (a commit by
  // full sha never changes): reading a stage's commit date after comparing
  // the stages costs nothing more. A few per comparison, bounded.
  readonly #ends = new Map<string, GitCommit>();

  constructor(options: GithubGitClientOptions) {
    this.#octokit = options.octokit;
    this.#owner = options.owner;
    this.#repo = options.repo;
    this.#host = options.host;
    this.#graphql = options.graphql;
    this.locator = {
      type: 'github',
      host: options.host,
      owner: options.owner,
      repo: options.repo,
    };
  }

  async listTags(): Promise<GitTag[]> {
    const batched = await this.#batched('list tags', async graphql => {
      const { tags, unpeeled } = await readTags(
        graphql,
        this.#owner,
        this.#repo,
      );
      const peeled = await Promise.all(
        unpeeled.map(async (tag): Promise<GitTag> => {
          const object = await this.#readTagObject(tag.objectSha);
          return {
            name: tag.name,
            sha: object.commitSha,
            annotated: true,
            ...(object.date ? { date: object.date } : {}),
            ...(object.message !== undefined
              ? { message: object.message }
              : {}),
          };
        }),
      );
      return [...tags, ...peeled];
    });
    if (batched) {
      return batched;
    }
    // GitHub answers matching-refs with every ref in one response (no
    // paging); an empty repository answers 409, which means no tags.
    const refs: Array<{ ref: string; object: { sha: string; type: string } }> =
      await this.#call('list tags', async () => {
        try {
          const { data } = await this.#octokit.request(
            'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
            { owner: this.#owner, repo: this.#repo, ref: 'tags' },
          );
          return data;
        } catch (error) {
          if ((error as { status?: number }).status === 409) {
            return [];
          }
          throw error;
        }
      });
    const tags = refs
      .filter(ref => ref.ref.startsWith('refs/tags/'))
      .map(ref => ({
        name: ref.ref.slice('refs/tags/'.length),
        objectSha: ref.object.sha,
        objectType: ref.object.type,
      }));
    const limit = pLimit(TAG_READ_CONCURRENCY);
    return Promise.all(
      tags.map(tag =>
        limit(async (): Promise<GitTag> => {
          if (tag.objectType !== 'tag') {
            return { name: tag.name, sha: tag.objectSha, annotated: false };
          }
          const object = await this.#readTagObject(tag.objectSha);
          return {
            name: tag.name,
            sha: object.commitSha,
            annotated: true,
            ...(object.date ? { date: object.date } : {}),
            ...(object.message !== undefined
              ? { message: object.message }
              : {}),
          };
        }),
      ),
    );
  }

  async listBranches(): Promise<GitBranch[]> {
    const branches = await this.#call('list branches', () =>
      this.#octokit.paginate('GET /repos/{owner}/{repo}/branches', {
        owner: this.#owner,
        repo: this.#repo,
        per_page: PAGE_SIZE,
      }),
    );
    return branches.map(branch => ({
      name: branch.name,
      sha: branch.commit.sha,
    }));
  }

  async getDefaultBranch(): Promise<string> {
    const batched = await this.#batched('read the repository', graphql =>
      readDefaultBranch(graphql, this.#owner, this.#repo),
    );
    if (batched) {
      return batched;
    }
    const { data } = await this.#call('read the repository', () =>
      this.#octokit.rest.repos.get({ owner: this.#owner, repo: this.#repo }),
    );
    return data.default_branch;
  }

  async resolveCommit(ref: string): Promise<GitCommit> {
    assertValidRevision(ref);
    const known = /^[0-9a-f]{40}$/.test(ref) ? this.#ends.get(ref) : undefined;
    if (known) {
      return known;
    }
    const batched = await this.#batched(`resolve ${ref}`, graphql =>
      readCommit(graphql, this.#owner, this.#repo, ref),
    );
    if (batched) {
      return batched;
    }
    const { data } = await this.#call(`resolve ${ref}`, () =>
      this.#octokit.rest.repos.getCommit({
        owner: this.#owner,
        repo: this.#repo,
        ref,
        per_page: 1,
      }),
    );
    return toCommit(data);
  }

  async compare(base: string, head: string): Promise<GitComparison> {
    assertValidRevision(base);
    assertValidRevision(head);
    const batched = await this.#batched(`compare ${base}...${head}`, graphql =>
      readComparison(graphql, this.#owner, this.#repo, base, head, ends =>
        this.#remember(ends),
      ),
    );
    if (batched) {
      return batched;
    }
    return this.#call(`compare ${base}...${head}`, async () => {
      const { comparison } = await this.#compareAll(base, head);
      return comparison;
    });
  }

  async newestAncestor(
    sha: string,
    candidates: string[],
  ): Promise<string | undefined> {
    assertValidRevision(sha);
    candidates.forEach(assertValidRevision);
    if (candidates.length === 0) {
      return undefined;
    }
    return this.#call(`find the base of ${sha}`, async () => {
      // One compare against the newest candidate tells whether it is an
      // ancestor, lists the commits on the side of `sha` since the merge
      // base (candidates there are ancestors too) and names the merge base.
      const { comparison, mergeBase } = await this.#compareAll(
        candidates[0],
        sha,
      );
      if (comparison.behindBy === 0) {
        return candidates[0];
      }
      const onSide = new Set(comparison.commits.map(commit => commit.sha));
      for (const candidate of candidates.slice(1)) {
        if (onSide.has(candidate) || candidate === mergeBase) {
          return candidate;
        }
        // Only a candidate off that side (older than the merge base, on
        // another branch) costs one more compare.
        const { comparison: toBase } = await this.#compareAll(
          candidate,
          mergeBase,
          1,
        );
        if (toBase.behindBy === 0) {
          return candidate;
        }
      }
      return undefined;
    });
  }

  /**
   * A compare through its pages. Without paging parameters GitHub returns at
   * most 250 commits and silently drops the rest; with `per_page` it pages
   * through them all, which is what a version bump needs.
   */
  #remember(commits: GitCommit[]) {
    if (this.#ends.size > MAX_REMEMBERED_ENDS) {
      this.#ends.clear();
    }
    for (const commit of commits) {
      this.#ends.set(commit.sha, commit);
    }
  }

  async #compareAll(
    base: string,
    head: string,
    maxPages = Infinity,
  ): Promise<{ comparison: GitComparison; mergeBase: string }> {
    let aheadBy = 0;
    let behindBy = 0;
    let mergeBase = '';
    const oldestFirst: GitCommit[] = [];
    const pages = this.#octokit.paginate.iterator(
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      {
        owner: this.#owner,
        repo: this.#repo,
        basehead: `${base}...${head}`,
        per_page: PAGE_SIZE,
      },
    );
    let read = 0;
    for await (const page of pages) {
      const data = page.data as unknown as {
        ahead_by: number;
        behind_by: number;
        merge_base_commit: { sha: string };
        base_commit?: GithubCommitData;
        commits: GithubCommitData[];
      };
      if (read === 0 && data.base_commit?.sha) {
        this.#remember([toCommit(data.base_commit)]);
      }
      aheadBy = data.ahead_by;
      behindBy = data.behind_by;
      mergeBase = data.merge_base_commit.sha;
      oldestFirst.push(...data.commits.map(toCommit));
      if (++read >= maxPages) {
        break;
      }
    }
    const newest = oldestFirst[oldestFirst.length - 1];
    if (newest?.sha === head) {
      this.#remember([newest]);
    }
    return {
      comparison: { aheadBy, behindBy, commits: oldestFirst.reverse() },
      mergeBase,
    };
  }

  async createBranch(name: string, sha: string): Promise<GitBranch> {
    assertValidRefName(name);
    assertValidRevision(sha);
    const commit = await this.#fullSha(sha);
    await this.#call(`create branch ${name}`, () =>
      this.#octokit.rest.git.createRef({
        owner: this.#owner,
        repo: this.#repo,
        ref: `refs/heads/${name}`,
        sha: commit,
      }),
    );
    return { name, sha: commit };
  }

  async createTag(options: {
    name: string;
    sha: string;
    message: string;
    tagger?: GitPerson;
  }): Promise<GitTag> {
    const { name, message, tagger } = options;
    assertValidRefName(name);
    assertValidRevision(options.sha);
    const commit = await this.#fullSha(options.sha);
    // A tag object without a ref is garbage on the host; checking first
    // avoids making one in the usual conflict case. The ref creation below
    // still settles a race.
    const exists = await this.#refExists(`tags/${name}`);
    if (exists) {
      throw toGithubError(
        { status: 422, message: 'Reference already exists' },
        this.#context(`create tag ${name}`),
      );
    }
    const { data: tagObject } = await this.#call(`create tag ${name}`, () =>
      this.#octokit.rest.git.createTag({
        owner: this.#owner,
        repo: this.#repo,
        tag: name,
        message,
        object: commit,
        type: 'commit',
        ...(tagger
          ? {
              tagger: {
                name: tagger.name,
                email: tagger.email,
                ...(tagger.date ? { date: tagger.date } : {}),
              },
            }
          : {}),
      }),
    );
    await this.#call(`create tag ${name}`, () =>
      this.#octokit.rest.git.createRef({
        owner: this.#owner,
        repo: this.#repo,
        ref: `refs/tags/${name}`,
        sha: tagObject.sha,
      }),
    );
    const date = tagObject.tagger?.date;
    this.#tagObjects.set(
      tagObject.sha,
      Promise.resolve({
        commitSha: commit,
        date,
        message: tagObject.message.replace(/\n+$/, ''),
      }),
    );
    return {
      name,
      sha: commit,
      annotated: true,
      ...(date ? { date } : {}),
      message: tagObject.message.replace(/\n+$/, ''),
    };
  }

  // Branch lifecycle: the work is in githubLifecycle.ts.
  checkMerge(options: { from: string; into: string }): Promise<GitMergeCheck> {
    [options.from, options.into].forEach(assertValidRefName);
    return lifecycle.githubCheckMerge(this.#lifecycle(), options);
  }

  mergeBranch(request: GitMergeRequest): Promise<GitMergeResult> {
    [request.from, request.into].forEach(assertValidRefName);
    return lifecycle.githubMergeBranch(this.#lifecycle(), request);
  }

  async checkCherryPick(): Promise<GitCherryPickCheck> {
    return lifecycle.githubCherryPickUnsupported(this.#host);
  }

  async cherryPick(): Promise<GitBranch> {
    return lifecycle.githubCherryPickUnsupported(this.#host);
  }

  async deleteBranch(name: string, options: { expectedSha?: string } = {}) {
    assertValidRefName(name);
    return lifecycle.githubDeleteBranch(this.#lifecycle(), name, options);
  }

  createHostRelease(options: {
    tag: string;
    name: string;
    notes: string;
    prerelease?: boolean;
  }): Promise<GitHostRelease> {
    assertValidRefName(options.tag);
    return lifecycle.githubCreateRelease(this.#lifecycle(), options);
  }

  #lifecycle(): lifecycle.GithubRepositoryContext {
    return {
      octokit: this.#octokit,
      host: this.#host,
      owner: this.#owner,
      repo: this.#repo,
    };
  }

  async readFile(ref: string, path: string): Promise<string | undefined> {
    assertValidRevision(ref);
    assertSafeRepositoryPath(path);
    return readGithubFile(this.#files(), ref, path);
  }

  async commitFile(request: GitFileCommitRequest): Promise<GitCommit> {
    assertValidRefName(request.branch);
    assertFullSha(request.parent);
    assertSafeRepositoryPath(request.path);
    return commitGithubFile(this.#files(), request);
  }

  async openPullRequest(request: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<GitPullRequest> {
    assertValidRefName(request.head);
    assertValidRefName(request.base);
    return openGithubPullRequest(this.#files(), request);
  }

  #files() {
    return {
      octokit: this.#octokit,
      owner: this.#owner,
      repo: this.#repo,
      call: <T>(operation: string, fn: () => Promise<T>) =>
        this.#call(operation, fn),
    };
  }

  async #fullSha(ref: string): Promise<string> {
    if (/^[0-9a-f]{40}$/.test(ref)) {
      return ref;
    }
    return (await this.resolveCommit(ref)).sha;
  }

  async #refExists(ref: string): Promise<boolean> {
    try {
      await this.#octokit.rest.git.getRef({
        owner: this.#owner,
        repo: this.#repo,
        ref,
      });
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        return false;
      }
      throw toGithubError(error, this.#context(`read ref ${ref}`));
    }
  }

  #readTagObject(sha: string): Promise<TagObject> {
    let pending = this.#tagObjects.get(sha);
    if (!pending) {
      pending = this.#peel(sha);
      this.#tagObjects.set(sha, pending);
      // A failed read must not stay cached as if it were immutable.
      pending.catch(() => this.#tagObjects.delete(sha));
    }
    return pending;
  }

  async #peel(sha: string): Promise<TagObject> {
    let objectSha = sha;
    let first: { date?: string; message?: string } | undefined;
    // Tags of tags exist; a short bound keeps a cycle from spinning.
    for (let depth = 0; depth < 5; depth++) {
      const tagSha = objectSha;
      const { data } = await this.#call('read a tag object', () =>
        this.#octokit.rest.git.getTag({
          owner: this.#owner,
          repo: this.#repo,
          tag_sha: tagSha,
        }),
      );
      first ??= {
        date: data.tagger?.date,
        message: data.message.replace(/\n+$/, ''),
      };
      if (data.object.type !== 'tag') {
        return { commitSha: data.object.sha, ...first };
      }
      objectSha = data.object.sha;
    }
    return { commitSha: objectSha, ...first };
  }

  #context(operation: string) {
    return {
      host: this.#host,
      repository: `${this.#owner}/${this.#repo}`,
      operation,
    };
  }

  /**
   * A read through the host's GraphQL batches; undefined where REST must
   * answer instead (no batches, a host that refuses the query, a
   * comparison the batched pages do not settle).
   */
  async #batched<T>(
    operation: string,
    fn: (graphql: GithubGraphqlLoader) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    if (!this.#graphql) {
      return undefined;
    }
    try {
      return await fn(this.#graphql);
    } catch (error) {
      if (error instanceof GraphqlUnsupportedError) {
        return undefined;
      }
      throw toGithubError(error, this.#context(operation));
    }
  }

  async #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toGithubError(error, this.#context(operation));
    }
  }
}

function toCommit(data: GithubCommitData): GitCommit {
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
