import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { LoggerService } from '@backstage/backend-plugin-api';

// The plugins add behaviour, not methods we call; typing the result as the
// plain REST client keeps the plugins' nested type packages out of our API.
const StageflowOctokit = Octokit.plugin(throttling, retry) as typeof Octokit;

/** @public */
export type GithubOctokit = Octokit;

interface CachedResponse {
  etag: string;
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

/**
 * Responses of GET requests by URL with their ETag, so that re-reading an
 * unchanged resource is a conditional request answered by 304 (which GitHub
 * does not count against the rate limit). Bounded, least recently used out.
 *
 * @public
 */
export class GithubResponseCache {
  readonly #entries = new Map<string, CachedResponse>();
  readonly #maxEntries: number;

  constructor(options?: { maxEntries?: number }) {
    this.#maxEntries = options?.maxEntries ?? 5000;
  }

  get(url: string): CachedResponse | undefined {
    const entry = this.#entries.get(url);
    if (entry) {
      this.#entries.delete(url);
      this.#entries.set(url, entry);
    }
    return entry;
  }

  set(url: string, entry: CachedResponse) {
    this.#entries.delete(url);
    this.#entries.set(url, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) {
        break;
      }
      this.#entries.delete(oldest);
    }
  }
}

/** Whether a GET URL names a git object by its full sha. */
export function addressesImmutable(url: string): boolean {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
  return /\/[0-9a-f]{40}(?=$|\/|\.\.\.)/i.test(path);
}

/**
 * Retry and rate-limit behaviour of the GitHub client.
 *
 * @public
 */
export interface GithubRetryOptions {
  /** Retries of a failed request (5xx, network, rate limit); default 2. */
  maxRetries?: number;
  /** Longest rate-limit wait worth retrying after, in seconds; default 60. */
  maxRetryAfterSeconds?: number;
  /** Milliseconds per unit of retry delay; tests make it small. Default 1000. */
  retryDelayBaseMs?: number;
}

/** Options of {@link createGithubOctokit}. @public */
export interface CreateGithubOctokitOptions {
  apiBaseUrl: string;
  /** Called for each request, so expiring GitHub App tokens are renewed. */
  getToken?: () => Promise<string | undefined>;
  cache?: GithubResponseCache;
  retry?: GithubRetryOptions;
  logger?: LoggerService;
}

/**
 * An Octokit with throttling (primary and secondary rate limits, honouring
 * `retry-after` and `x-ratelimit-reset`), bounded retries of failures, and
 * conditional requests through a response cache.
 *
 * @public
 */
export function createGithubOctokit(
  options: CreateGithubOctokitOptions,
): GithubOctokit {
  const maxRetries = options.retry?.maxRetries ?? 2;
  const maxRetryAfter = options.retry?.maxRetryAfterSeconds ?? 60;
  const retryDelayBaseMs = options.retry?.retryDelayBaseMs ?? 1000;
  const logger = options.logger;

  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      limitedRequest: object,
      _octokit: unknown,
      retryCount: number,
    ) => {
      const request = limitedRequest as { method?: string; url?: string };
      const retrying = retryCount < maxRetries && retryAfter <= maxRetryAfter;
      logger?.warn(`GitHub ${kind} rate limit hit`, {
        method: request.method,
        url: request.url,
        retryAfter,
        retrying,
      });
      return retrying;
    };

  const octokit = new StageflowOctokit({
    baseUrl: options.apiBaseUrl.replace(/\/+$/, ''),
    userAgent: 'stageflow',
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => logger?.warn(message),
      error: (message: string) => logger?.error(message),
    },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: retryDelayBaseMs,
      fallbackSecondaryRateRetryAfter: 60,
    },
    retry: {
      // A conflict will not go away by asking again; 403 is the throttling
      // plugin's to retry when it is a rate limit.
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451],
      retries: maxRetries,
      retryAfterBaseValue: retryDelayBaseMs,
    },
  });

  const cache = options.cache;
  const getToken = options.getToken;
  // Registered after the plugins, so it wraps them: retries and throttling
  // run inside, and the cache sees the final answer only.
  octokit.hook.wrap('request', async (request, requestOptions) => {
    if (getToken) {
      const token = await getToken();
      if (token) {
        requestOptions.headers.authorization = `token ${token}`;
      }
    }
    const key =
      cache && requestOptions.method === 'GET'
        ? octokit.request.endpoint(requestOptions as any).url
        : '';
    // What a sha addresses (a tag object, a commit, a compare of two shas)
    // never changes and is kept for good a layer above: only moving
    // resources (ref lists, branches) take room in the bounded cache.
    const responses = key && !addressesImmutable(key) ? cache : undefined;
    const cached = responses?.get(key);
    if (cached) {
      requestOptions.headers['if-none-match'] = cached.etag;
    }
    try {
      const response = await request(requestOptions);
      const etag = response.headers.etag;
      if (responses && etag) {
        responses.set(key, {
          etag,
          status: response.status,
          headers: response.headers as Record<string, string>,
          data: response.data,
        });
      }
      return response;
    } catch (error) {
      if (cached && (error as { status?: number }).status === 304) {
        return {
          status: cached.status,
          url: key,
          headers: cached.headers,
          data: cached.data,
        } as any;
      }
      throw error;
    }
  });
  return octokit;
}
