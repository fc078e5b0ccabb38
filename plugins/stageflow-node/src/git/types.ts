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
 * A pull request on the host, for merges that go through review.
 *
 * @public
 */
export interface GitPullRequest {
  number: number;
  /** The page of the pull request on the host's web UI. */
  url: string;
  /** Whether the host can merge it as it is; undefined while it computes. */
  mergeable?: boolean;
}

/**
 * What merging one branch into another would do, found without pushing.
 *
 * @public
 */
export interface GitMergeCheck {
  from: string;
  into: string;
  fromSha: string;
  intoSha: string;
  /** `into` already contains every commit of `from`. */
  upToDate: boolean;
  /** The commits `from` brings into `into`, newest first. */
  commits: GitCommit[];
  /**
   * The files both sides changed incompatibly (empty: merges cleanly);
   * undefined when the host cannot tell without a pull request.
   */
  conflicts?: string[];
  /** An open pull request of `from` into `into`, when there is one. */
  pullRequest?: GitPullRequest;
}

/** @public */
export interface GitMergeRequest {
  from: string;
  into: string;
  /** The merge commit's message (or the pull request's title). */
  message: string;
  /** Notes for a pull request's body. */
  body?: string;
  /**
   * `merge` (default) makes the merge commit at once; `pull-request` opens
   * one (or reuses the open one) where the host has them. Plain git always
   * merges.
   */
  via?: 'merge' | 'pull-request';
  /** Author of the merge commit; default the client's identity. */
  author?: GitPerson;
}

/**
 * What a merge did: `merged` (a merge commit is on `into`), `up-to-date`
 * (nothing to merge), `pull-request` (opened on the host, not merged).
 *
 * @public
 */
export interface GitMergeResult {
  outcome: 'merged' | 'up-to-date' | 'pull-request';
  /** The merge commit, or the head of `into` when up to date. */
  sha?: string;
  /** The commits `from` brought (or brings, once merged), newest first. */
  commits: GitCommit[];
  pullRequest?: GitPullRequest;
}

/** @public */
export interface GitCherryPickRequest {
  /** The branch to create; ConflictError when it exists. */
  branch: string;
  /** Where the branch starts (a release tag, usually). */
  base: string;
  /** Commits applied in this order. */
  commits: string[];
}

/** @public */
export interface GitCherryPickCheck {
  baseSha: string;
  /** The full shas of the commits, in order. */
  commits: string[];
  /** Empty when every commit applies; else the first conflict. */
  conflicts: Array<{ commit: string; files: string[] }>;
}

/**
 * A release on the host (GitHub Releases), beside its tag.
 *
 * @public
 */
export interface GitHostRelease {
  tag: string;
  name: string;
  notes: string;
  url: string;
  prerelease: boolean;
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

  // Branch lifecycle: merges, cherry-picks, host releases.
  /** What merging `from` into `into` would do; nothing is pushed. */
  checkMerge(options: { from: string; into: string }): Promise<GitMergeCheck>;
  /**
   * Merges a branch into another. A conflict is a {@link GitConflictError}
   * naming the files, and nothing is pushed.
   */
  mergeBranch(request: GitMergeRequest): Promise<GitMergeResult>;
  /** Whether the commits apply onto `base` in order; nothing is pushed. */
  checkCherryPick(options: {
    base: string;
    commits: string[];
  }): Promise<GitCherryPickCheck>;
  /**
   * Creates a branch at `base` with the commits cherry-picked onto it, in
   * one push. A conflict is a {@link GitConflictError} and nothing is pushed.
   */
  cherryPick(request: GitCherryPickRequest): Promise<GitBranch>;
  /**
   * Deletes a branch; with `expectedSha`, only while it still points there
   * (ConflictError otherwise). NotFoundError when there is no such branch.
   */
  deleteBranch(name: string, options?: { expectedSha?: string }): Promise<void>;
  /**
   * Publishes a release of an existing tag on hosts that have releases
   * (GitHub); undefined on hosts that have none (the annotated tag's
   * message carries the notes there).
   */
  createHostRelease(options: {
    tag: string;
    name: string;
    notes: string;
    prerelease?: boolean;
  }): Promise<GitHostRelease | undefined>;

  // GitOps pins: one file read and written.
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
  }): Promise<GitPullRequest | undefined>;
}

/**
 * Hands out repositories for the hosts that config names; refuses any other.
 *
 * @public
 */
export interface GitService {
  getRepository(locator: GitRepositoryLocator): GitRepository;
}
