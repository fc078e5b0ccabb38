import { InputError } from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  GitBranch,
  GitCherryPickCheck,
  GitCherryPickRequest,
  GitComparison,
  GitCommit,
  GitFileCommitRequest,
  GitHostRelease,
  GitMergeCheck,
  GitMergeRequest,
  GitMergeResult,
  GitPerson,
  GitRepository,
  GitRepositoryLocator,
  GitTag,
} from './types';
import { assertFullSha, assertValidRefName, assertValidRevision } from './refs';
import { PlainClone, PlainGitCredentials } from './plain/PlainClone';
import * as reads from './plain/plainReads';
import * as writes from './plain/plainWrites';
import * as merges from './plain/plainMerges';
import * as files from './plain/plainFiles';
import { assertSafeRepositoryPath } from './repositoryPaths';

export type { PlainGitCredentials } from './plain/PlainClone';

/** Options of {@link PlainGitClient}. @public */
export interface PlainGitClientOptions {
  /** The repository as the entity names it. */
  locator: GitRepositoryLocator & { type: 'git' };
  /** Where git really fetches from and pushes to (after any `baseUrl` rewrite). */
  remoteUrl: string;
  credentials?: PlainGitCredentials;
  /** Directory holding the bare partial clones, one per remote. */
  cacheDir: string;
  /** Tagger of tags and committer of merges made without one. */
  defaultTagger?: { name: string; email: string };
  logger?: LoggerService;
}

/**
 * Any git remote (https, ssh, file) through the git command line: refs from
 * `git ls-remote`, history from a cached bare partial clone that is fetched
 * only when the remote's refs moved, writes by pushing from that clone.
 * Input is checked here; the work is in `plain/`.
 *
 * @public
 */
export class PlainGitClient implements GitRepository {
  readonly locator: GitRepositoryLocator;
  readonly #clone: PlainClone;
  readonly #identity: { name: string; email: string };

  constructor(options: PlainGitClientOptions) {
    this.locator = options.locator;
    this.#clone = new PlainClone({
      remoteUrl: options.remoteUrl,
      name: options.locator.url,
      cacheDir: options.cacheDir,
      credentials: options.credentials,
      logger: options.logger,
    });
    this.#identity = options.defaultTagger ?? {
      name: 'Stageflow',
      email: 'stageflow@localhost',
    };
  }

  listTags(): Promise<GitTag[]> {
    return reads.listTags(this.#clone);
  }

  listBranches(): Promise<GitBranch[]> {
    return reads.listBranches(this.#clone);
  }

  getDefaultBranch(): Promise<string> {
    return reads.getDefaultBranch(this.#clone);
  }

  async resolveCommit(ref: string): Promise<GitCommit> {
    assertValidRevision(ref);
    return reads.resolveCommit(this.#clone, ref);
  }

  async newestAncestor(
    sha: string,
    candidates: string[],
  ): Promise<string | undefined> {
    assertValidRevision(sha);
    candidates.forEach(assertValidRevision);
    return reads.newestAncestor(this.#clone, sha, candidates);
  }

  async compare(base: string, head: string): Promise<GitComparison> {
    assertValidRevision(base);
    assertValidRevision(head);
    return reads.compare(this.#clone, base, head);
  }

  async createBranch(name: string, sha: string): Promise<GitBranch> {
    assertValidRefName(name);
    assertValidRevision(sha);
    return writes.createBranch(this.#clone, name, sha);
  }

  async createTag(options: {
    name: string;
    sha: string;
    message: string;
    tagger?: GitPerson;
  }): Promise<GitTag> {
    assertValidRefName(options.name);
    assertValidRevision(options.sha);
    return writes.createTag(this.#clone, {
      ...options,
      tagger: options.tagger ?? this.#identity,
    });
  }

  async checkMerge(options: {
    from: string;
    into: string;
  }): Promise<GitMergeCheck> {
    assertValidRefName(options.from);
    assertValidRefName(options.into);
    return merges.checkMerge(this.#clone, {
      ...options,
      identity: this.#identity,
    });
  }

  async mergeBranch(request: GitMergeRequest): Promise<GitMergeResult> {
    assertValidRefName(request.from);
    assertValidRefName(request.into);
    const author = request.author ?? this.#identity;
    assertValidIdentity(author);
    return merges.mergeBranch(this.#clone, {
      from: request.from,
      into: request.into,
      message: request.message,
      author,
      identity: this.#identity,
    });
  }

  async checkCherryPick(options: {
    base: string;
    commits: string[];
  }): Promise<GitCherryPickCheck> {
    assertValidRevision(options.base);
    options.commits.forEach(assertValidRevision);
    return merges.checkCherryPick(this.#clone, {
      ...options,
      identity: this.#identity,
    });
  }

  async cherryPick(request: GitCherryPickRequest): Promise<GitBranch> {
    assertValidRefName(request.branch);
    assertValidRevision(request.base);
    request.commits.forEach(assertValidRevision);
    return merges.cherryPick(this.#clone, {
      ...request,
      identity: this.#identity,
    });
  }

  async deleteBranch(
    name: string,
    options: { expectedSha?: string } = {},
  ): Promise<void> {
    assertValidRefName(name);
    if (options.expectedSha) {
      assertValidRevision(options.expectedSha);
    }
    return writes.deleteBranch(this.#clone, name, options.expectedSha);
  }

  /** Plain git has no releases beside tags: the tag message holds the notes. */
  async createHostRelease(): Promise<GitHostRelease | undefined> {
    return undefined;
  }

  async readFile(ref: string, path: string): Promise<string | undefined> {
    assertValidRevision(ref);
    assertSafeRepositoryPath(path);
    return files.readFile(this.#clone, ref, path);
  }

  async commitFile(request: GitFileCommitRequest): Promise<GitCommit> {
    assertValidRefName(request.branch);
    assertFullSha(request.parent);
    assertSafeRepositoryPath(request.path);
    return files.commitFile(this.#clone, request, this.#identity);
  }

  /** Plain git hosts have no pull requests: the pushed branch is the proposal. */
  async openPullRequest(): Promise<undefined> {
    return undefined;
  }
}

function assertValidIdentity(person: { name: string; email: string }) {
  if (/[<>\n\r\0]/.test(`${person.name}${person.email}`)) {
    throw new InputError(
      'Author name and email must not contain <, > or line breaks',
    );
  }
}
