import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { UpstreamError } from '../../resilience/UpstreamError';
import { gitNoResponseReason } from '../../resilience/noResponseReason';
import { isSha } from '../refs';
import { GitCommandError, runGit } from '../runGit';
import {
  parseLsRemote,
  parseRefList,
  RemoteRefs,
  records,
  toCommit,
  COMMIT_FORMAT,
} from './gitOutput';
import type { GitCommit } from '../types';

/** Credentials for an https remote. @public */
export interface PlainGitCredentials {
  username?: string;
  password?: string;
}

// git takes file locks in a clone, so operations on one clone run one at a
// time, even from two clients whose annotations spell the remote differently.
const cloneLimits = new Map<string, ReturnType<typeof pLimit>>();

/**
 * The cached bare partial clone of one remote: brought up to date only when
 * the remote's refs moved, used one operation at a time, pushed from.
 */
export class PlainClone {
  readonly path: string;
  readonly #remoteUrl: string;
  readonly #cacheDir: string;
  readonly #env: Record<string, string>;
  readonly #host: string;
  readonly #name: string;
  readonly #logger?: LoggerService;

  constructor(options: {
    remoteUrl: string;
    /** The repository as the entity names it, for messages. */
    name: string;
    cacheDir: string;
    credentials?: PlainGitCredentials;
    logger?: LoggerService;
  }) {
    this.#remoteUrl = options.remoteUrl;
    this.#cacheDir = options.cacheDir;
    this.#name = options.name;
    this.path = join(
      options.cacheDir,
      `${createHash('sha256')
        .update(options.remoteUrl)
        .digest('hex')
        .slice(0, 24)}.git`,
    );
    this.#host = hostOf(options.name);
    this.#env = credentialEnv(options.remoteUrl, options.credentials);
    this.#logger = options.logger;
  }

  /** The repository as the entity names it. */
  get name(): string {
    return this.#name;
  }

  /** Runs `fn` alone on this clone; git failures become upstream errors. */
  exclusive<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    let limit = cloneLimits.get(this.path);
    if (!limit) {
      limit = pLimit(1);
      cloneLimits.set(this.path, limit);
    }
    const own = limit;
    return own(fn)
      .catch(error => {
        if (error instanceof GitCommandError) {
          throw this.upstream(operation, error);
        }
        throw error;
      })
      .finally(() => {
        if (own.activeCount === 0 && own.pendingCount === 0) {
          cloneLimits.delete(this.path);
        }
      });
  }

  /** Runs git in the clone (offline: no credentials). */
  async git(args: string[], input?: string): Promise<string> {
    return (await runGit(args, { cwd: this.path, input })).stdout;
  }

  /**
   * Runs git in `cwd` (the clone or one of its work trees) with the
   * remote's credentials, for commands that may fetch missing blobs.
   */
  async gitOnline(
    args: string[],
    options: { cwd?: string; env?: Record<string, string> } = {},
  ) {
    return runGit(args, {
      cwd: options.cwd ?? this.path,
      env: { ...this.#env, ...options.env },
    });
  }

  async lsRemote(): Promise<RemoteRefs> {
    await mkdir(this.#cacheDir, { recursive: true });
    try {
      const { stdout } = await runGit(
        ['ls-remote', '--symref', this.#remoteUrl],
        { cwd: this.#cacheDir, env: this.#env },
      );
      return parseLsRemote(stdout);
    } catch (error) {
      throw this.upstream('list remote refs', error);
    }
  }

  /** Brings the clone to the remote's refs, fetching only when they moved. */
  async sync(known?: RemoteRefs): Promise<RemoteRefs> {
    const state = known ?? (await this.lsRemote());
    if (!(await exists(this.path))) {
      await this.#clone();
    }
    const localRefs = parseRefList(
      await this.git([
        'for-each-ref',
        '--format=%(objectname) %(refname)',
        'refs/heads',
        'refs/tags',
      ]),
    );
    const moved =
      localRefs.size !== state.refs.size ||
      [...state.refs].some(([ref, sha]) => localRefs.get(ref) !== sha);
    if (moved) {
      try {
        await runGit(
          [
            'fetch',
            '--quiet',
            '--prune',
            '--no-tags',
            '--filter=blob:none',
            this.#remoteUrl,
            '+refs/heads/*:refs/heads/*',
            '+refs/tags/*:refs/tags/*',
          ],
          { cwd: this.path, env: this.#env },
        );
      } catch (error) {
        throw this.upstream('fetch', error);
      }
    }
    return state;
  }

  /** Resolves a branch, tag or sha in the clone to a commit sha. */
  async resolve(ref: string): Promise<string> {
    const candidates = [`refs/heads/${ref}`, `refs/tags/${ref}`];
    if (isSha(ref)) {
      candidates.push(ref);
    }
    for (const candidate of candidates) {
      try {
        const out = await runGit(
          ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`],
          { cwd: this.path },
        );
        return out.stdout.trim();
      } catch {
        // Not this kind of ref; try the next.
      }
    }
    throw new NotFoundError(`No commit ${ref} in ${this.#name}`);
  }

  async commit(sha: string): Promise<GitCommit> {
    const out = await this.git(['log', '-1', `--format=${COMMIT_FORMAT}`, sha]);
    return toCommit(records(out)[0]);
  }

  /**
   * Pushes `object` to `ref` with `flags` (leases); a refusal because the
   * ref exists or moved is a ConflictError, anything else upstream.
   */
  async push(
    ref: string,
    object: string,
    flags: string[],
    conflict = `${ref.replace(/^refs\/(heads|tags)\//, '')} already exists`,
  ) {
    try {
      await runGit(
        [
          'push',
          '--porcelain',
          '--quiet',
          ...flags,
          this.#remoteUrl,
          `${object}:${ref}`,
        ],
        { cwd: this.path, env: this.#env },
      );
    } catch (error) {
      // Refused by our lease or the remote's own check, or lost a race with
      // another writer on the remote's ref lock. Other remote refusals
      // (hooks, protection, permissions) are upstream.
      const output =
        error instanceof GitCommandError
          ? `${error.stdout}\n${error.stderr}`
          : '';
      // A ref that clashes with a folder of refs (refs/heads/a beside
      // refs/heads/a/b) is what the user asked for, not a fault of the
      // host, whether the remote says "cannot lock ref" or only "failed to
      // update ref" (over HTTP).
      if (/cannot lock ref|failed to update ref/.test(output)) {
        const clash = await this.#folderClash(ref);
        if (clash) {
          throw new ConflictError(
            `Cannot create ${shortRef(ref)} in ${this.#name}: ${shortRef(
              clash,
            )} exists, and a ref cannot also be a folder of refs`,
          );
        }
      }
      if (
        /\[rejected\]|already exists|stale info|fetch first|non-fast-forward|cannot lock ref/.test(
          output,
        )
      ) {
        throw new ConflictError(`${conflict} in ${this.#name}`);
      }
      throw this.upstream(`push ${ref}`, error);
    }
  }

  /** A remote ref that is a folder of `ref`, or `ref` a folder of it. */
  async #folderClash(ref: string): Promise<string | undefined> {
    const { refs } = await this.lsRemote().catch(() => ({
      refs: new Map<string, string>(),
    }));
    return [...refs.keys()].find(
      other => other.startsWith(`${ref}/`) || ref.startsWith(`${other}/`),
    );
  }

  /**
   * Runs `fn` in a throw-away work tree of the clone checked out (detached)
   * at `sha`; the work tree is removed whatever happens, so nothing of a
   * failed merge or cherry-pick stays behind.
   */
  async withWorktree<T>(
    sha: string,
    fn: (dir: string) => Promise<T>,
  ): Promise<T> {
    const parent = await mkdtemp(join(this.#cacheDir, 'worktree-'));
    const dir = join(parent, 'tree');
    try {
      await this.gitOnline([
        'worktree',
        'add',
        '--quiet',
        '--detach',
        dir,
        sha,
      ]);
      return await fn(dir);
    } finally {
      await rm(parent, { recursive: true, force: true });
      await this.git(['worktree', 'prune']).catch(() => undefined);
    }
  }

  upstream(operation: string, error: unknown): Error {
    const detail =
      error instanceof GitCommandError
        ? error.stderr
            .split('\n')
            .map(line => line.trim())
            .filter(Boolean)
            .slice(-1)[0]
        : (error as Error)?.message;
    return new UpstreamError({
      kind: 'git',
      noResponse: gitNoResponseReason(detail ?? ''),
      host: this.#host,
      repository: this.#name,
      operation,
      detail,
      cause: error,
    });
  }

  async #clone() {
    // Cloned beside the final path and renamed, so a failed clone never
    // looks like a usable cache.
    const staging = await mkdtemp(join(this.#cacheDir, 'clone-'));
    try {
      await runGit(
        [
          'clone',
          '--bare',
          '--quiet',
          '--filter=blob:none',
          '--',
          this.#remoteUrl,
          join(staging, 'repo.git'),
        ],
        { cwd: this.#cacheDir, env: this.#env },
      );
      await rename(join(staging, 'repo.git'), this.path).catch(async error => {
        if (!(await exists(this.path))) {
          throw error;
        }
      });
      this.#logger?.debug('Cloned git repository into cache', {
        repository: this.#name,
      });
    } catch (error) {
      throw this.upstream('clone', error);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

async function exists(path: string) {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || 'localhost';
  } catch {
    return /^[^@]+@([^:]+):/.exec(url)?.[1] ?? 'unknown host';
  }
}

/**
 * Credentials go to git as an `http.<url>.extraHeader` through environment
 * variables: never in argv (visible to every user) nor in a stored URL, and
 * only for the remote they belong to.
 */
function credentialEnv(
  remoteUrl: string,
  credentials?: PlainGitCredentials,
): Record<string, string> {
  if (!credentials?.password || !/^https?:\/\//.test(remoteUrl)) {
    return {};
  }
  const basic = Buffer.from(
    `${credentials.username ?? 'git'}:${credentials.password}`,
  ).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${remoteUrl}.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}
