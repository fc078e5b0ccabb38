import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  GitBranch,
  GitComparison,
  GitCommit,
  GitFileCommitRequest,
  GitPerson,
  GitRepository,
  GitRepositoryLocator,
  GitTag,
} from './types';
import { UpstreamError } from '../resilience/UpstreamError';
import { gitNoResponseReason } from '../resilience/noResponseReason';
import {
  assertFullSha,
  assertValidRefName,
  assertValidRevision,
  isSha,
} from './refs';
import { makePlainFileCommit, readPlainFile } from './plainFiles';
import { assertSafeRepositoryPath } from './repositoryPaths';
import { GitCommandError, runGit } from './runGit';

const FIELD = '%x1f';
const RECORD = '%x1e';
const COMMIT_FORMAT = `${['%H', '%an', '%ae', '%aI', '%cI', '%B'].join(
  FIELD,
)}${RECORD}`;
// for-each-ref spells hex escapes without the `x` that log uses.
const TAG_FORMAT = `${[
  '%(refname:strip=2)',
  '%(objecttype)',
  '%(objectname)',
  '%(*objectname)',
  '%(taggerdate:iso-strict)',
  '%(committerdate:iso-strict)',
  '%(contents)',
].join('%1f')}%1e`;

// git takes file locks in a clone, so operations on one clone run one at a
// time, even from two clients whose annotations spell the remote differently.
const cloneQueues = new Map<string, Promise<unknown>>();

/** Credentials for an https remote. @public */
export interface PlainGitCredentials {
  username?: string;
  password?: string;
}

/** Options of {@link PlainGitClient}. @public */
export interface PlainGitClientOptions {
  /** The repository as the entity names it. */
  locator: GitRepositoryLocator & { type: 'git' };
  /** Where git really fetches from and pushes to (after any `baseUrl` rewrite). */
  remoteUrl: string;
  credentials?: PlainGitCredentials;
  /** Directory holding the bare partial clones, one per remote. */
  cacheDir: string;
  /** Tagger of tags created without one. */
  defaultTagger?: { name: string; email: string };
  logger?: LoggerService;
}

interface RemoteState {
  head?: string;
  refs: Map<string, string>;
}

/**
 * Any git remote (https, ssh, file) through the git command line: refs from
 * `git ls-remote`, history from a cached bare partial clone that is fetched
 * only when the remote's refs moved, writes by pushing from that clone.
 *
 * @public
 */
export class PlainGitClient implements GitRepository {
  readonly locator: GitRepositoryLocator;
  readonly #remoteUrl: string;
  readonly #clonePath: string;
  readonly #cacheDir: string;
  readonly #env: Record<string, string>;
  readonly #host: string;
  readonly #defaultTagger: { name: string; email: string };
  readonly #logger?: LoggerService;

  constructor(options: PlainGitClientOptions) {
    this.locator = options.locator;
    this.#remoteUrl = options.remoteUrl;
    this.#cacheDir = options.cacheDir;
    this.#clonePath = join(
      options.cacheDir,
      `${createHash('sha256')
        .update(options.remoteUrl)
        .digest('hex')
        .slice(0, 24)}.git`,
    );
    this.#host = hostOf(options.locator.url);
    this.#env = credentialEnv(options.remoteUrl, options.credentials);
    this.#defaultTagger = options.defaultTagger ?? {
      name: 'Stageflow',
      email: 'stageflow@localhost',
    };
    this.#logger = options.logger;
  }

  async listTags(): Promise<GitTag[]> {
    return this.#exclusive('list tags', async () => {
      await this.#sync();
      const out = await this.#git([
        'for-each-ref',
        `--format=${TAG_FORMAT}`,
        'refs/tags',
      ]);
      return records(out).map(fields => {
        const [
          name,
          type,
          objectSha,
          peeledSha,
          taggerDate,
          commitDate,
          contents,
        ] = fields;
        if (type === 'tag') {
          return {
            name,
            sha: peeledSha,
            annotated: true,
            ...(taggerDate ? { date: taggerDate } : {}),
            message: contents.replace(/\n+$/, ''),
          };
        }
        return {
          name,
          sha: objectSha,
          annotated: false,
          ...(commitDate ? { date: commitDate } : {}),
        };
      });
    });
  }

  async listBranches(): Promise<GitBranch[]> {
    return this.#exclusive('list branches', async () => {
      const state = await this.#sync();
      return [...state.refs]
        .filter(([ref]) => ref.startsWith('refs/heads/'))
        .map(([ref, sha]) => ({ name: ref.slice('refs/heads/'.length), sha }));
    });
  }

  async getDefaultBranch(): Promise<string> {
    return this.#exclusive('read the default branch', async () => {
      const state = await this.#lsRemote();
      if (state.head) {
        return state.head;
      }
      // Servers that do not advertise the HEAD symref: the clone recorded it.
      await this.#sync(state);
      const head = await this.#git(['symbolic-ref', '--short', 'HEAD']);
      return head.trim();
    });
  }

  async resolveCommit(ref: string): Promise<GitCommit> {
    assertValidRevision(ref);
    return this.#exclusive(`resolve ${ref}`, async () => {
      await this.#sync();
      return this.#commit(await this.#resolve(ref));
    });
  }

  async compare(base: string, head: string): Promise<GitComparison> {
    assertValidRevision(base);
    assertValidRevision(head);
    return this.#exclusive(`compare ${base}...${head}`, async () => {
      await this.#sync();
      const baseSha = await this.#resolve(base);
      const headSha = await this.#resolve(head);
      const counts = await this.#git([
        'rev-list',
        '--left-right',
        '--count',
        `${baseSha}...${headSha}`,
      ]);
      const [behindBy, aheadBy] = counts.trim().split(/\s+/).map(Number);
      const log = await this.#git([
        'log',
        `--format=${COMMIT_FORMAT}`,
        `${baseSha}..${headSha}`,
      ]);
      return { aheadBy, behindBy, commits: records(log).map(toCommit) };
    });
  }

  async newestAncestor(
    sha: string,
    candidates: string[],
  ): Promise<string | undefined> {
    assertValidRevision(sha);
    candidates.forEach(assertValidRevision);
    return this.#exclusive(`find the base of ${sha}`, async () => {
      await this.#sync();
      // One walk of the history answers every candidate at once.
      const history = await this.#git(['rev-list', await this.#resolve(sha)]);
      const ancestors = new Set(history.split('\n'));
      return candidates.find(candidate => ancestors.has(candidate));
    });
  }

  async createBranch(name: string, sha: string): Promise<GitBranch> {
    assertValidRefName(name);
    assertValidRevision(sha);
    return this.#exclusive(`create branch ${name}`, async () => {
      const state = await this.#sync();
      const ref = `refs/heads/${name}`;
      if (state.refs.has(ref)) {
        throw new ConflictError(
          `Branch ${name} already exists in ${this.#describe()}`,
        );
      }
      const commit = await this.#resolve(sha);
      // An empty lease means "only if the ref does not exist": without it a
      // push would fast-forward a branch someone created meanwhile.
      await this.#push(ref, commit, [`--force-with-lease=${ref}:`]);
      await this.#git(['update-ref', ref, commit]);
      return { name, sha: commit };
    });
  }

  async createTag(options: {
    name: string;
    sha: string;
    message: string;
    tagger?: GitPerson;
  }): Promise<GitTag> {
    const { name, message } = options;
    assertValidRefName(name);
    assertValidRevision(options.sha);
    const tagger = options.tagger ?? this.#defaultTagger;
    if (/[<>\n\r\0]/.test(`${tagger.name}${tagger.email}`)) {
      throw new InputError(
        'Tagger name and email must not contain <, > or line breaks',
      );
    }
    const when = options.tagger?.date
      ? Date.parse(options.tagger.date)
      : Date.now();
    if (Number.isNaN(when)) {
      throw new InputError(`Invalid tagger date ${options.tagger?.date}`);
    }
    return this.#exclusive(`create tag ${name}`, async () => {
      const state = await this.#sync();
      const ref = `refs/tags/${name}`;
      if (state.refs.has(ref)) {
        throw new ConflictError(
          `Tag ${name} already exists in ${this.#describe()}`,
        );
      }
      const commit = await this.#resolve(options.sha);
      // The tag object is made without a local ref, so a refused push leaves
      // nothing behind but an unreachable object.
      const body = `${message.replace(/\n*$/, '')}\n`;
      const tagObject = (
        await this.#git(
          ['mktag'],
          [
            `object ${commit}`,
            'type commit',
            `tag ${name}`,
            `tagger ${tagger.name} <${tagger.email}> ${Math.floor(
              when / 1000,
            )} +0000`,
            '',
            body,
          ].join('\n'),
        )
      ).trim();
      // No force: the remote refuses to replace an existing tag.
      await this.#push(ref, tagObject, []);
      await this.#git(['update-ref', ref, tagObject]);
      return {
        name,
        sha: commit,
        annotated: true,
        date: new Date(Math.floor(when / 1000) * 1000).toISOString(),
        message: body.replace(/\n+$/, ''),
      };
    });
  }

  async readFile(ref: string, path: string): Promise<string | undefined> {
    assertValidRevision(ref);
    assertSafeRepositoryPath(path);
    return this.#exclusive(`read ${path} at ${ref}`, async () => {
      await this.#sync();
      return readPlainFile(this.#fileClone(), await this.#resolve(ref), path);
    });
  }

  async commitFile(request: GitFileCommitRequest): Promise<GitCommit> {
    const { branch, parent } = request;
    assertValidRefName(branch);
    assertFullSha(parent);
    assertSafeRepositoryPath(request.path);
    return this.#exclusive(`commit ${request.path} to ${branch}`, async () => {
      await this.#sync();
      const sha = await makePlainFileCommit(
        this.#fileClone(),
        request,
        this.#defaultTagger,
      );
      const ref = `refs/heads/${branch}`;
      // The lease: only while the branch is where the change was made (or,
      // for a new branch, while there is none).
      const lease = `--force-with-lease=${ref}:${
        request.createBranch ? '' : parent
      }`;
      await this.#push(ref, sha, [lease]).catch(error => {
        if (error?.name !== 'ConflictError') {
          throw error;
        }
        throw new ConflictError(
          request.createBranch
            ? `Branch ${branch} already exists in ${this.#describe()}`
            : `Branch ${branch} of ${this.#describe()} moved on from ${parent.slice(
                0,
                7,
              )} meanwhile; try again`,
        );
      });
      await this.#git(['update-ref', ref, sha]);
      return this.#commit(sha);
    });
  }

  /** Plain git hosts have no pull requests: the pushed branch is the proposal. */
  async openPullRequest(): Promise<undefined> {
    return undefined;
  }

  #fileClone() {
    return { path: this.#clonePath, env: this.#env };
  }

  async #push(ref: string, object: string, flags: string[]) {
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
        { cwd: this.#clonePath, env: this.#env },
      );
    } catch (error) {
      // Refused by our lease or the remote's own check, or lost a race with
      // another creator on the remote's ref lock: all mean the ref exists.
      // Other remote refusals (hooks, protection, permissions) are upstream.
      if (
        error instanceof GitCommandError &&
        /\[rejected\]|already exists|stale info|fetch first|non-fast-forward|cannot lock ref/.test(
          `${error.stdout}\n${error.stderr}`,
        )
      ) {
        throw new ConflictError(
          `${ref.replace(
            /^refs\/(heads|tags)\//,
            '',
          )} already exists in ${this.#describe()}`,
        );
      }
      throw this.#upstream(`push ${ref}`, error);
    }
  }

  async #resolve(ref: string): Promise<string> {
    const candidates = [`refs/heads/${ref}`, `refs/tags/${ref}`];
    if (isSha(ref)) {
      candidates.push(ref);
    }
    for (const candidate of candidates) {
      try {
        const out = await runGit(
          ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`],
          { cwd: this.#clonePath },
        );
        return out.stdout.trim();
      } catch {
        // Not this kind of ref; try the next.
      }
    }
    throw new NotFoundError(`No commit ${ref} in ${this.#describe()}`);
  }

  async #commit(sha: string): Promise<GitCommit> {
    const out = await this.#git([
      'log',
      '-1',
      `--format=${COMMIT_FORMAT}`,
      sha,
    ]);
    return toCommit(records(out)[0]);
  }

  async #lsRemote(): Promise<RemoteState> {
    await mkdir(this.#cacheDir, { recursive: true });
    let out: string;
    try {
      ({ stdout: out } = await runGit(
        ['ls-remote', '--symref', this.#remoteUrl],
        {
          cwd: this.#cacheDir,
          env: this.#env,
        },
      ));
    } catch (error) {
      throw this.#upstream('list remote refs', error);
    }
    const state: RemoteState = { refs: new Map() };
    for (const line of out.split('\n')) {
      const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
      if (symref) {
        state.head = symref[1];
        continue;
      }
      const [sha, ref] = line.split('\t');
      if (
        ref &&
        (ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/')) &&
        !ref.endsWith('^{}')
      ) {
        state.refs.set(ref, sha);
      }
    }
    return state;
  }

  /** Brings the clone to the remote's refs, fetching only when they moved. */
  async #sync(known?: RemoteState): Promise<RemoteState> {
    const state = known ?? (await this.#lsRemote());
    if (!(await exists(this.#clonePath))) {
      await this.#clone();
    }
    const local = await this.#git([
      'for-each-ref',
      '--format=%(objectname) %(refname)',
      'refs/heads',
      'refs/tags',
    ]);
    const localRefs = new Map(
      local
        .split('\n')
        .filter(Boolean)
        .map(line => {
          const [sha, ref] = line.split(' ');
          return [ref, sha] as const;
        }),
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
          { cwd: this.#clonePath, env: this.#env },
        );
      } catch (error) {
        throw this.#upstream('fetch', error);
      }
    }
    return state;
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
      await rename(join(staging, 'repo.git'), this.#clonePath).catch(
        async error => {
          if (!(await exists(this.#clonePath))) {
            throw error;
          }
        },
      );
      this.#logger?.debug('Cloned git repository into cache', {
        repository: this.#describe(),
      });
    } catch (error) {
      throw this.#upstream('clone', error);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async #git(args: string[], input?: string): Promise<string> {
    return (await runGit(args, { cwd: this.#clonePath, input })).stdout;
  }

  #describe() {
    return this.locator.type === 'git' ? this.locator.url : '';
  }

  #upstream(operation: string, error: unknown): Error {
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
      repository: this.#describe(),
      operation,
      detail,
      cause: error,
    });
  }

  #exclusive<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const previous = cloneQueues.get(this.#clonePath) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    cloneQueues.set(this.#clonePath, settled);
    void settled.then(() => {
      if (cloneQueues.get(this.#clonePath) === settled) {
        cloneQueues.delete(this.#clonePath);
      }
    });
    return run.catch(error => {
      if (error instanceof GitCommandError) {
        throw this.#upstream(operation, error);
      }
      throw error;
    });
  }
}

function records(out: string): string[][] {
  return out
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(record => record.length > 0)
    .map(record => record.split('\x1f'));
}

function toCommit(fields: string[]): GitCommit {
  const [sha, authorName, authorEmail, authorDate, commitDate, message] =
    fields;
  return {
    sha,
    message: message.replace(/\n+$/, ''),
    author: { name: authorName, email: authorEmail, date: authorDate },
    date: commitDate,
  };
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
