import { createHash } from 'node:crypto';
import type { CacheService } from '@backstage/backend-plugin-api';
import {
  CachedGithubResponse,
  GithubResponseCache,
  GithubResponseStore,
} from './githubOctokit';

// A conditional request answered 304 costs nothing; a response kept a week
// spares the full read of anything that did not change in that time.
const PERSISTED_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * GitHub responses with their ETags in the platform cache (Redis in
 * production), behind an in-memory LRU: a restarted backend, or another
 * replica, re-reads what it knew with conditional requests, and reads
 * what a sha addresses (tag objects, commits) not at all. The platform
 * cache failing only costs the full read.
 *
 * @public
 */
export class PersistentGithubResponseCache implements GithubResponseStore {
  readonly keepsImmutable = true;
  readonly #memory: GithubResponseCache;
  readonly #cache: CacheService;

  constructor(options: { cache: CacheService; maxEntries?: number }) {
    this.#cache = options.cache;
    this.#memory = new GithubResponseCache({ maxEntries: options.maxEntries });
  }

  async get(key: string): Promise<CachedGithubResponse | undefined> {
    const known = this.#memory.get(key);
    if (known) {
      return known;
    }
    const stored = (await this.#cache
      .get(persistedKey(key))
      .catch(() => undefined)) as CachedGithubResponse | undefined;
    if (stored) {
      this.#memory.set(key, stored);
    }
    return stored;
  }

  async set(key: string, value: CachedGithubResponse): Promise<void> {
    const previous = this.#memory.get(key);
    this.#memory.set(key, value);
    if (previous?.etag === value.etag) {
      return;
    }
    await this.#cache
      .set(persistedKey(key), value as any, { ttl: PERSISTED_TTL_MS })
      .catch(() => undefined);
  }
}

function persistedKey(url: string): string {
  return `github-etag:${createHash('sha256').update(url).digest('hex')}`;
}
