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
  RawManifest,
  RegistryService,
} from '../registry';
import { LastKnownGood, LastKnownGoodAnswer, StaleMarks } from '../resilience';

// What never changes (a digest's config, the commits between two shas) is
// kept as long as the cache keeps anything.
const FOREVER_MS = 365 * 24 * 3600 * 1000;

// Manifests read by a stage tag's first read, until their config is read
// (next, as a rule); bounded.
const MAX_HELD_MANIFESTS = 256;

function locatorKey(locator: GitRepositoryLocator): string {
  return locator.type === 'github'
    ? `github:${locator.host}/${locator.owner}/${locator.repo}`
    : `git:${locator.url}`;
}

// The name of a repository in last-known-good keys: `<host>/<owner>/<repo>`
// on GitHub, the remote URL otherwise.
function repositoryName(locator: GitRepositoryLocator): string {
  return locator.type === 'github'
    ? `${locator.host}/${locator.owner}/${locator.repo}`
    : locator.url;
}

/** How a read of a moving fact may be answered. @public */
export interface FactReadOptions {
  /**
   * Collects the stale mark when the fact is answered from its last known
   * good value (upstream unavailable, rate limited, too slow). Without it,
   * the read is fresh or fails: what a write plans with.
   */
  stale?: StaleMarks;
}

/**
 * The facts stage resolution is made of, read through the platform cache:
 * immutable facts are kept for good, moving ones for `ttlSeconds`, and
 * concurrent requests for one fact share one upstream call.
 *
 * @public
 */
export class StageflowFacts {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  // Bumped when a key is forgotten, so that a read that started before a
  // write does not put its older answer back into the cache.
  private readonly generations = new Map<string, number>();
  private readonly heldManifests = new Map<string, RawManifest>();

  constructor(
    private readonly options: {
      cache: CacheService;
      git: GitService;
      registry: RegistryService;
      ttlSeconds: number;
      /**
       * The last known good state of each moving fact, for reads that
       * collect stale marks. Without it every read is fresh or fails.
       */
      lastKnown?: LastKnownGood;
    },
  ) {}

  repository(locator: GitRepositoryLocator): GitRepository {
    return this.options.git.getRepository(locator);
  }

  releases(
    locator: GitRepositoryLocator,
    pattern: string,
    options: FactReadOptions = {},
  ): Promise<Release[]> {
    return this.moving(
      `releases:${locatorKey(locator)}:${pattern}`,
      `git:${repositoryName(locator)}:releases:${pattern}`,
      () => listReleases(this.repository(locator), pattern),
      options,
    );
  }

  async branchHead(
    locator: GitRepositoryLocator,
    branch: string,
    options: FactReadOptions = {},
  ): Promise<string> {
    return this.moving(
      `head:${locatorKey(locator)}:${branch}`,
      `git:${repositoryName(locator)}:branch:${branch}`,
      async () => (await this.repository(locator).resolveCommit(branch)).sha,
      options,
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
      : this.cached(key, this.options.ttlSeconds * 1000, load);
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
    return immutable
      ? this.forever(key, load)
      : this.cached(key, this.options.ttlSeconds * 1000, load);
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
    options: FactReadOptions = {},
  ): Promise<ManifestDescriptor | undefined> {
    const name = formatImageReference(ref);
    const found = await this.moving(
      `image:${name}`,
      `registry:${name}`,
      async () => ({
        descriptor: await this.options.registry
          .forHost(ref.registry)
          .resolve(ref),
      }),
      options,
    );
    return found.descriptor;
  }

  imageConfig(ref: ImageReference, digest: string): Promise<ImageConfigInfo> {
    const pinned = { ...ref, tag: undefined, digest };
    const name = formatImageReference(pinned);
    return this.forever(`config:${name}`, () =>
      this.options.registry
        .forHost(ref.registry)
        .getImageConfig(pinned, this.heldManifests.get(name)),
    ).finally(() => this.heldManifests.delete(name));
  }

  /**
   * A stage image: the manifest its tag points at now and that image's
   * config; neither when the tag is missing. A tag read before is asked
   * with HEAD, the cheapest question (and no pull where a registry counts
   * GETs); the first read of a tag GETs its manifest instead, which the
   * config's read would ask for next: one request less per stage the first
   * time, as many as before afterwards.
   */
  async stageImage(
    ref: ImageReference,
    options: FactReadOptions = {},
  ): Promise<{ descriptor?: ManifestDescriptor; config?: ImageConfigInfo }> {
    const name = formatImageReference(ref);
    const found = await this.moving(
      `image:${name}`,
      `registry:${name}`,
      async () => ({ descriptor: await this.readTag(ref) }),
      options,
    );
    if (!found.descriptor) {
      return {};
    }
    return {
      descriptor: found.descriptor,
      config: await this.imageConfig(ref, found.descriptor.digest),
    };
  }

  private async readTag(
    ref: ImageReference,
  ): Promise<ManifestDescriptor | undefined> {
    const client = this.options.registry.forHost(ref.registry);
    const seen = `image-seen:${formatImageReference(ref)}`;
    if (!ref.tag || (await this.options.cache.get(seen)) !== undefined) {
      return client.resolve(ref);
    }
    let raw: RawManifest;
    try {
      raw = await client.getManifest(ref);
    } catch {
      // A missing tag (or a registry that refused the GET) is told by HEAD.
      return client.resolve(ref);
    }
    const pinned = formatImageReference({
      ...ref,
      tag: undefined,
      digest: raw.descriptor.digest,
    });
    if (this.heldManifests.size >= MAX_HELD_MANIFESTS) {
      this.heldManifests.clear();
    }
    this.heldManifests.set(pinned, raw);
    await this.options.cache.set(seen, true, { ttl: FOREVER_MS });
    return raw.descriptor;
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
      this.inFlight.delete(`${key}#last-known`);
    }
    await Promise.all(keys.map(key => this.options.cache.delete(key)));
  }

  /**
   * A moving fact, kept for `ttlSeconds`. A read that collects stale marks
   * goes through the last known good state on a miss: an unavailable or
   * slow upstream answers with the last good value, marked stale, which is
   * never kept as fresh, so the next read asks the upstream again. The
   * fresh value lands in the cache whenever the read ends, also after the
   * deadline answered for it.
   */
  private async moving<T>(
    key: string,
    lastKnownKey: string,
    load: () => Promise<T>,
    options: FactReadOptions,
  ): Promise<T> {
    const ttl = this.options.ttlSeconds * 1000;
    const { lastKnown } = this.options;
    const { stale } = options;
    if (!lastKnown || !stale) {
      return this.cached(key, ttl, load);
    }
    const answer = await this.shared<LastKnownGoodAnswer<T>>(
      `${key}#last-known`,
      async () => {
        const generation = this.generations.get(key) ?? 0;
        if (ttl > 0) {
          const hit = await this.options.cache.get(key);
          if (hit !== undefined) {
            return { value: hit as T };
          }
        }
        return lastKnown.read(lastKnownKey, async () => {
          const value = await load();
          if (ttl > 0 && (this.generations.get(key) ?? 0) === generation) {
            await this.options.cache.set(key, value as any, { ttl });
          }
          return value as any;
        }) as Promise<LastKnownGoodAnswer<T>>;
      },
    );
    stale.add(answer.stale);
    return answer.value;
  }

  private forever<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cached(key, FOREVER_MS, load);
  }

  private cached<T>(
    key: string,
    ttl: number,
    load: () => Promise<T>,
  ): Promise<T> {
    return this.shared(key, async () => {
      const generation = this.generations.get(key) ?? 0;
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
    });
  }

  /** Concurrent callers of one key share one call. */
  private shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending as Promise<T>;
    }
    const promise = fn().finally(() => {
      if (this.inFlight.get(key) === promise) {
        this.inFlight.delete(key);
      }
    });
    this.inFlight.set(key, promise);
    return promise;
  }
}
