import { Octokit } from '@octokit/rest';
import { LRUCache } from 'lru-cache';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { UpstreamPolicy } from '../resilience/UpstreamPolicy';

/** @public */
export type GithubOctokit = Octokit;

/** A GET response kept with its ETag. @public */
export interface CachedGithubResponse {
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
export class GithubResponseCache extends LRUCache<
  string,
  CachedGithubResponse
> {
  constructor(options?: { maxEntries?: number }) {
    super({ max: options?.maxEntries ?? 5000 });
  }
}

/**
 * Where responses with their ETags are kept: the in-memory
 * {@link GithubResponseCache}, or one that also keeps them in the platform
 * cache so that a restarted backend re-reads them conditionally.
 *
 * @public
 */
export interface GithubResponseStore {
  get(
    key: string,
  ):
    | CachedGithubResponse
    | undefined
    | Promise<CachedGithubResponse | undefined>;
  set(key: string, value: CachedGithubResponse): unknown;
  /**
   * Whether the store also keeps what a sha addresses (tag objects,
   * commits), for good: such a read is then answered without a request.
   * A store that outlives the process (the platform cache) does; a bounded
   * in-memory one leaves them to the layer above.
   */
  readonly keepsImmutable?: boolean;
}

/** Whether a GET URL names a git object by its full sha. */
export function addressesImmutable(url: string): boolean {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
  return /\/[0-9a-f]{40}(?=$|\/|\.\.\.)/i.test(path);
}

/** Options of {@link createGithubOctokit}. @public */
export interface CreateGithubOctokitOptions {
  apiBaseUrl: string;
  /** Called for each request, so expiring GitHub App tokens are renewed. */
  getToken?: () => Promise<string | undefined>;
  cache?: GithubResponseStore;
  /** The resilience of the host: timeouts, retries, rate limits, breaker. */
  policy: UpstreamPolicy;
  logger?: LoggerService;
}

/**
 * An Octokit whose requests go through the host's {@link UpstreamPolicy}
 * (timeouts, retries of reads honouring `retry-after` and
 * `x-ratelimit-reset`, nothing sent while rate limited, a circuit breaker),
 * with conditional requests through a response cache. Failures of the host
 * reach the caller as the policy's UpstreamError; answers such as 404 or
 * 422 as Octokit's RequestError.
 *
 * @public
 */
export function createGithubOctokit(
  options: CreateGithubOctokitOptions,
): GithubOctokit {
  const { policy, logger } = options;
  const octokit = new Octokit({
    baseUrl: options.apiBaseUrl.replace(/\/+$/, ''),
    userAgent: 'stageflow',
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => logger?.warn(message),
      error: (message: string) => logger?.error(message),
    },
  });

  const cache = options.cache;
  const getToken = options.getToken;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    if (getToken) {
      const token = await getToken();
      if (token) {
        requestOptions.headers.authorization = `token ${token}`;
      }
    }
    const method = requestOptions.method;
    const url = octokit.request.endpoint(requestOptions as any).url;
    // Octokit turns whatever its fetch throws into a "500" of its own; the
    // policy's error says what really happened, so it is kept aside.
    let failure: unknown;
    requestOptions.request = {
      ...requestOptions.request,
      fetch: (input: string, init: RequestInit) =>
        policy
          .fetch(input, init, {
            operation: `${method} ${new URL(input).pathname}`,
            // Stageflow's GraphQL requests are queries: safe to repeat.
            idempotent:
              method === 'GET' ||
              method === 'HEAD' ||
              new URL(input).pathname.endsWith('/graphql'),
          })
          .catch(error => {
            failure = error;
            throw error;
          }),
    };
    const key = cache && method === 'GET' ? url : '';
    // What a sha addresses (a tag object, a commit, a compare of two shas)
    // never changes and is kept for good a layer above, or by a store that
    // keeps it: otherwise only moving resources (ref lists, branches) take
    // room in the bounded cache.
    const immutable = Boolean(key) && addressesImmutable(key);
    const responses =
      key && (!immutable || cache?.keepsImmutable) ? cache : undefined;
    const cached = await responses?.get(key);
    if (cached && immutable) {
      return {
        status: cached.status,
        url: key,
        headers: cached.headers,
        data: cached.data,
      } as any;
    }
    if (cached) {
      requestOptions.headers['if-none-match'] = cached.etag;
    }
    try {
      const response = await request(requestOptions);
      const etag = response.headers.etag;
      if (responses && etag) {
        await responses.set(key, {
          etag,
          status: response.status,
          headers: response.headers as Record<string, string>,
          data: response.data,
        });
      }
      return response;
    } catch (error) {
      if (failure) {
        throw failure;
      }
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
