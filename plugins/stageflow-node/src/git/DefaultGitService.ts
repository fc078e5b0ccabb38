import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import type { Config } from '@backstage/config';
import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { GitRepository, GitRepositoryLocator, GitService } from './types';
import {
  createGithubOctokit,
  GithubResponseCache,
  GithubResponseStore,
} from './githubOctokit';
import { GithubGraphqlLoader } from './githubGraphql';
import { PersistentGithubResponseCache } from './githubResponseStore';
import { unconfiguredHostError } from '../resilience/UpstreamError';
import { UpstreamPolicies } from '../resilience/UpstreamPolicies';
import { GithubGitClient } from './GithubGitClient';
import { PlainGitClient } from './PlainGitClient';
import { GitServiceConfig, readGitServiceConfig } from './GitServiceConfig';

const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const PATH_SEGMENT_PATTERN = /^[A-Za-z0-9_.~-]+$/;

/** Options of {@link DefaultGitService.fromConfig}. @public */
export interface DefaultGitServiceOptions {
  logger: LoggerService;
  /**
   * The resilience policy of each GitHub host; by default read from
   * `stageflow.resilience`. Pass one to share it, or to shorten delays in tests.
   */
  policies?: UpstreamPolicies;
  /**
   * The platform cache: GitHub responses with their ETags are kept there,
   * so that a restarted backend re-reads them conditionally. Without it
   * they are kept in memory.
   */
  cache?: CacheService;
}

/**
 * Hands out a client per repository, only for hosts that config names:
 * GitHub hosts from `integrations.github`, other git hosts from
 * `stageflow.git.hosts`. Any other address is refused before a request is
 * made, since annotations are written by entity authors.
 *
 * @public
 */
export class DefaultGitService implements GitService {
  readonly #integrations: ScmIntegrations;
  readonly #credentials: GithubCredentialsProvider;
  readonly #config: GitServiceConfig;
  readonly #logger: LoggerService;
  readonly #policies: UpstreamPolicies;
  readonly #cache: CacheService | undefined;
  readonly #githubCaches = new Map<string, GithubResponseStore>();
  // One loader per host and owner (an App installation's token is per
  // owner): the reads of all its repositories share queries.
  readonly #graphqlLoaders = new Map<string, GithubGraphqlLoader>();
  readonly #repositories = new Map<string, GitRepository>();

  static fromConfig(config: Config, options: DefaultGitServiceOptions) {
    return new DefaultGitService(
      ScmIntegrations.fromConfig(config),
      readGitServiceConfig(config),
      options.policies ??
        UpstreamPolicies.fromConfig(config, { logger: options.logger }),
      options.logger,
      options.cache,
    );
  }

  private constructor(
    integrations: ScmIntegrations,
    config: GitServiceConfig,
    policies: UpstreamPolicies,
    logger: LoggerService,
    cache: CacheService | undefined,
  ) {
    this.#cache = cache;
    this.#integrations = integrations;
    this.#credentials =
      DefaultGithubCredentialsProvider.fromIntegrations(integrations);
    this.#config = config;
    this.#logger = logger;
    this.#policies = policies;
  }

  getRepository(locator: GitRepositoryLocator): GitRepository {
    const key = JSON.stringify(locator);
    let repository = this.#repositories.get(key);
    if (!repository) {
      repository =
        locator.type === 'github'
          ? this.#github(locator)
          : this.#plain(locator);
      this.#repositories.set(key, repository);
    }
    return repository;
  }

  #github(locator: GitRepositoryLocator & { type: 'github' }): GitRepository {
    const host = locator.host.toLowerCase();
    const integration = this.#integrations.github.byHost(host);
    if (!integration) {
      throw unconfiguredHostError('git', host, 'integrations.github');
    }
    for (const [label, value] of [
      ['owner', locator.owner],
      ['repository', locator.repo],
    ]) {
      if (!NAME_PATTERN.test(value) || value === '.' || value === '..') {
        throw new InputError(`Invalid GitHub ${label} name '${value}'`);
      }
    }
    const apiBaseUrl =
      integration.config.apiBaseUrl ?? `https://${host}/api/v3`;
    let cache = this.#githubCaches.get(host);
    if (!cache) {
      cache = this.#cache
        ? new PersistentGithubResponseCache({ cache: this.#cache })
        : new GithubResponseCache();
      this.#githubCaches.set(host, cache);
    }
    const url = `https://${host}/${locator.owner}/${locator.repo}`;
    const loaderKey = `${host}/${locator.owner}`;
    let graphql = this.#graphqlLoaders.get(loaderKey);
    if (!graphql && this.#config.githubGraphql) {
      const ownerUrl = `https://${host}/${locator.owner}`;
      graphql = new GithubGraphqlLoader({
        octokit: createGithubOctokit({
          apiBaseUrl,
          getToken: async () =>
            (await this.#credentials.getCredentials({ url: ownerUrl })).token,
          policy: this.#policies.forHost('git', host),
          logger: this.#logger.child({ host, owner: locator.owner }),
        }),
      });
      this.#graphqlLoaders.set(loaderKey, graphql);
    }
    return new GithubGitClient({
      host,
      owner: locator.owner,
      repo: locator.repo,
      graphql,
      octokit: createGithubOctokit({
        apiBaseUrl,
        cache,
        getToken: async () =>
          (await this.#credentials.getCredentials({ url })).token,
        policy: this.#policies.forHost('git', host),
        logger: this.#logger.child({
          host,
          repository: `${locator.owner}/${locator.repo}`,
        }),
      }),
    });
  }

  #plain(locator: GitRepositoryLocator & { type: 'git' }): GitRepository {
    const remote = parseRemote(locator.url);
    const hostConfig = this.#config.hosts.find(h => h.host === remote.host);
    if (!hostConfig) {
      throw unconfiguredHostError('git', remote.host, 'stageflow.git.hosts');
    }
    let remoteUrl: string;
    if (hostConfig.baseUrl) {
      remoteUrl = `${hostConfig.baseUrl}/${remote.path}`;
    } else if (remote.scheme === 'http') {
      throw new InputError(
        `Refusing plain http for ${remote.host}; use https or configure a baseUrl`,
      );
    } else {
      remoteUrl = remote.url;
    }
    return new PlainGitClient({
      locator,
      remoteUrl,
      credentials: hostConfig.password
        ? { username: hostConfig.username, password: hostConfig.password }
        : undefined,
      cacheDir: this.#config.cacheDir,
      logger: this.#logger.child({ host: remote.host }),
    });
  }
}

interface ParsedRemote {
  scheme: 'https' | 'http' | 'ssh' | 'git';
  host: string;
  path: string;
  /** The URL rebuilt from its checked parts. */
  url: string;
}

/**
 * Splits an annotation's git URL into host and repository path, refusing
 * anything that could reach past the repository (`..`, encoded characters,
 * options) or carry credentials.
 */
export function parseRemote(url: string): ParsedRemote {
  const scp = /^([A-Za-z0-9_.-]+)@([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(url);
  let scheme: ParsedRemote['scheme'];
  let host: string;
  let rawPath: string;
  let user: string | undefined;
  if (scp) {
    scheme = 'ssh';
    user = scp[1];
    host = scp[2].toLowerCase();
    rawPath = scp[3];
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputError(`Invalid git URL '${url}'`);
    }
    const protocol = parsed.protocol.replace(/:$/, '');
    if (!['https', 'http', 'ssh', 'git'].includes(protocol)) {
      throw new InputError(
        `Unsupported git URL scheme '${protocol}:'; use https, ssh or git`,
      );
    }
    if (parsed.password || (parsed.username && protocol !== 'ssh')) {
      throw new InputError('Git URLs must not carry credentials');
    }
    if (parsed.search || parsed.hash) {
      throw new InputError('Git URLs must not have a query or fragment');
    }
    scheme = protocol as ParsedRemote['scheme'];
    host = parsed.host.toLowerCase();
    user = parsed.username || undefined;
    rawPath = parsed.pathname;
  }
  const segments = rawPath.split('/').filter(segment => segment.length > 0);
  if (
    segments.length === 0 ||
    segments.some(
      s =>
        !PATH_SEGMENT_PATTERN.test(s) ||
        s === '.' ||
        s === '..' ||
        s.startsWith('-'),
    )
  ) {
    throw new InputError(`Invalid repository path in git URL '${url}'`);
  }
  if (!host || host.startsWith('-')) {
    throw new InputError(`Invalid host in git URL '${url}'`);
  }
  const path = segments.join('/');
  const rebuilt = scp
    ? `${user}@${host}:${path}`
    : `${scheme}://${user ? `${user}@` : ''}${host}/${path}`;
  return { scheme, host, path, url: rebuilt };
}
