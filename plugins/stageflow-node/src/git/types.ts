/**
 * Where a repository lives: a repository on a GitHub host (through the
 * GitHub API) or any git remote (through git itself).
 *
 * @public
 */
export type GitRepositoryLocator =
  | { type: 'github'; host: string; owner: string; repo: string }
  | { type: 'git'; url: string };

/** @public */
export interface GitPerson {
  name: string;
  email: string;
  date?: string;
}

/** @public */
export interface GitCommit {
  sha: string;
  message: string;
  author?: GitPerson;
  date?: string;
}

/**
 * A tag peeled to its commit; lightweight and annotated tags alike.
 *
 * @public
 */
export interface GitTag {
  name: string;
  /** The commit the tag points at (annotated tags are peeled). */
  sha: string;
  annotated: boolean;
  /** Tagger date for annotated tags, else the commit date, when known. */
  date?: string;
  message?: string;
}

/** @public */
export interface GitBranch {
  name: string;
  sha: string;
}

/**
 * The commits reachable from `head` and not from `base`, newest first.
 *
 * @public
 */
export interface GitComparison {
  aheadBy: number;
  behindBy: number;
  commits: GitCommit[];
}

/**
 * One commit that sets one file, for GitOps pins.
 *
 * @public
 */
export interface GitFileCommitRequest {
  /** The branch the commit goes to. */
  branch: string;
  /**
   * The commit it is made on (a full sha). The push happens only while
   * `branch` is still there (ConflictError otherwise), or, with
   * `createBranch`, creates `branch` at this commit (ConflictError when it
   * exists).
   */
  parent: string;
  createBranch?: boolean;
  /** Relative path in the repository (no `..`). */
  path: string;
  content: string;
  message: string;
  author?: GitPerson;
}

/**
 * A pull request opened on the host.
 *
 * @public
 */
export interface GitOpenedPullRequest {
  number: number;
  /** Its page on the host's web UI. */
  url: string;
}

/**
 * Read and write operations on one repository, the same for every git host.
 *
 * @public
 */
export interface GitRepository {
  readonly locator: GitRepositoryLocator;
  listTags(): Promise<GitTag[]>;
  listBranches(): Promise<GitBranch[]>;
  getDefaultBranch(): Promise<string>;
  /** Resolves a branch, tag or (possibly short) sha to its commit; NotFoundError when unknown. */
  resolveCommit(ref: string): Promise<GitCommit>;
  compare(base: string, head: string): Promise<GitComparison>;
  /**
   * The first of `candidates` (full commit shas, in the caller's order of
   * preference, e.g. newest release first) that is `sha` itself or one of
   * its ancestors; undefined when none is. One ancestry query instead of a
   * compare per candidate.
   */
  newestAncestor(
    sha: string,
    candidates: string[],
  ): Promise<string | undefined>;
  /** ConflictError when the branch exists. */
  createBranch(name: string, sha: string): Promise<GitBranch>;
  /** Creates an annotated tag (tag object plus ref); ConflictError when the tag exists. */
  createTag(options: {
    name: string;
    sha: string;
    message: string;
    tagger?: GitPerson;
  }): Promise<GitTag>;
  /** A file's text at a commit or branch; undefined when it has no such file. */
  readFile(ref: string, path: string): Promise<string | undefined>;
  /** Commits one file change, see {@link GitFileCommitRequest}. */
  commitFile(request: GitFileCommitRequest): Promise<GitCommit>;
  /**
   * Opens a pull request of `head` into `base` on hosts that have them;
   * undefined on plain git hosts (the branch is the proposal there).
   */
  openPullRequest(request: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<GitOpenedPullRequest | undefined>;
}

/**
 * Hands out repositories for the hosts that config names; refuses any other.
 *
 * @public
 */
export interface GitService {
  getRepository(locator: GitRepositoryLocator): GitRepository;
}
