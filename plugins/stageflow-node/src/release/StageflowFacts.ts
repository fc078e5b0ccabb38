import { CacheService } from '@backstage/backend-plugin-api';
import {
  ImageReference,
  Release,
  formatImageReference,
} from '@stageflow/plugin-stageflow-common';
import {
  GitComparison,
  GitRepository,
  GitRepositoryLocator,
  GitService,
  listReleases,
} from '../git';
import {
  ImageConfigInfo,
  ManifestDescriptor,
  RegistryService,
} from '../registry';

// What never changes (a digest's config, the commits between two shas) is
// kept as long as the cache keeps anything.
const FOREVER_MS = 365 * 24 * 3600 * 1000;

function locatorKey(locator: GitRepositoryLocator): string {
  return locator.type === 'github'
    ? `github:${locator.host}/${locator.owner}/${locator.repo}`
    : `git:${locator.url}`;
}

/**
 * The facts stage resolution is made of, read through the platform cache:
 * immutable facts are kept for good, moving ones for `ttlSeconds`, and
 * concurrent requests for one fact share one upstream call.
 */
export class StageflowFacts {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  // Bumped when a key is forgotten, so that a read that started before a
  // write does not put its older answer back into the cache.
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly options: {
      cache: CacheService;
      git: GitService;
      registry: RegistryService;
      ttlSeconds: number;
    },
  ) {}

  repository(locator: GitRepositoryLocator): GitRepository {
    return this.options.git.getRepository(locator);
  }

  releases(locator: GitRepositoryLocator, pattern: string): Promise<Release[]> {
    return this.moving(`releases:${locatorKey(locator)}:${pattern}`, () =>
      listReleases(this.repository(locator), pattern),
    );
  }

  async branchHead(
    locator: GitRepositoryLocator,
    branch: string,
  ): Promise<string> {
    return this.moving(
      `head:${locatorKey(locator)}:${branch}`,
      async () => (await this.repository(locator).resolveCommit(branch)).sha,
    );
  }

  /** A commit by full sha never changes: read once, kept for good. */
  commitDate(
    locator: GitRepositoryLocator,
    sha: string,
  ): Promise<string | undefined> {
    const load = async () => {
      const commit = await this.repository(locator).resolveCommit(sha);
      return { date: commit.date ?? commit.author?.date };
    };
    const key = `commit:${locatorKey(locator)}:${sha}`;
    const read = /^[0-9a-f]{40}$/.test(sha)
      ? this.forever(key, load)
      : this.moving(key, load);
    return read.then(result => result.date);
  }

  compare(
    locator: GitRepositoryLocator,
    base: string,
    head: string,
  ): Promise<GitComparison> {
    const immutable =
      /^[0-9a-f]{40}$/.test(base) && /^[0-9a-f]{40}$/.test(head);
    const key = `compare:${locatorKey(locator)}:${base}...${head}`;
    const load = () => this.repository(locator).compare(base, head);
    return immutable ? this.forever(key, load) : this.moving(key, load);
  }

  /**
   * A file's text at a commit (full sha: kept for good); undefined when the
   * commit has no such file.
   */
  async fileAt(
    locator: GitRepositoryLocator,
    sha: string,
    path: string,
  ): Promise<string | undefined> {
    const found = await this.forever(
      `file:${locatorKey(locator)}:${sha}:${path}`,
      async () => ({
        text: await this.repository(locator).readFile(sha, path),
      }),
    );
    return found.text;
  }

  /** The manifest a tag points at now; undefined when the tag is missing. */
  async resolveImage(
    ref: ImageReference,
  ): Promise<ManifestDescriptor | undefined> {
    const found = await this.moving(
      `image:${formatImageReference(ref)}`,
      async () => ({
        descriptor: await this.options.registry
          .forHost(ref.registry)
          .resolve(ref),
      }),
    );
    return found.descriptor;
  }

  imageConfig(ref: ImageReference, digest: string): Promise<ImageConfigInfo> {
    const pinned = { ...ref, tag: undefined, digest };
    return this.forever(`config:${formatImageReference(pinned)}`, () =>
      this.options.registry.forHost(ref.registry).getImageConfig(pinned),
    );
  }

  /**
   * Drops the moving facts a write changed, in the shared cache (so on
   * every replica): a repository's releases and branch heads, image tags.
   */
  async forget(changes: {
    repository?: GitRepositoryLocator;
    tagPattern?: string;
    branches?: string[];
    images?: ImageReference[];
  }): Promise<void> {
    const keys: string[] = [];
    if (changes.repository) {
      const repo = locatorKey(changes.repository);
      if (changes.tagPattern) {
        keys.push(`releases:${repo}:${changes.tagPattern}`);
      }
      for (const branch of changes.branches ?? []) {
        keys.push(`head:${repo}:${branch}`);
      }
    }
    for (const image of changes.images ?? []) {
      keys.push(`image:${formatImageReference(image)}`);
    }
    for (const key of keys) {
      this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
      this.inFlight.delete(key);
    }
    await Promise.all(keys.map(key => this.options.cache.delete(key)));
  }

  private moving<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cached(key, this.options.ttlSeconds * 1000, load);
  }

  private forever<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cached(key, FOREVER_MS, load);
  }

  private cached<T>(
    key: string,
    ttl: number,
    load: () => Promise<T>,
  ): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending as Promise<T>;
    }
    const generation = this.generations.get(key) ?? 0;
    const promise = (async () => {
      if (ttl > 0) {
        const hit = await this.options.cache.get(key);
        if (hit !== undefined) {
          return hit as T;
        }
      }
      const value = await load();
      if (ttl > 0 && (this.generations.get(key) ?? 0) === generation) {
        await this.options.cache.set(key, value as any, { ttl });
      }
      return value;
    })().finally(() => {
      if (this.inFlight.get(key) === promise) {
        this.inFlight.delete(key);
      }
    });
    this.inFlight.set(key, promise);
    return promise;
  }
}
