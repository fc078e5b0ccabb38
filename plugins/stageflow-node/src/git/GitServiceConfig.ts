import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@backstage/config';

/** One `stageflow.git.hosts[]` entry. @public */
export interface GitHostConfig {
  host: string;
  baseUrl?: string;
  username?: string;
  password?: string;
}

/** The `stageflow.git` config, read once at start-up. @public */
export interface GitServiceConfig {
  hosts: GitHostConfig[];
  cacheDir: string;
  /**
   * Whether GitHub reads go through GraphQL batches (default true); false
   * reads through REST only, as a host without GraphQL would.
   */
  githubGraphql: boolean;
}

/**
 * Reads `stageflow.git`. A host named twice is a config error, so that the
 * credentials in use are never a matter of order.
 *
 * @public
 */
export function readGitServiceConfig(config: Config): GitServiceConfig {
  const git = config.getOptionalConfig('stageflow.git');
  const hosts = (git?.getOptionalConfigArray('hosts') ?? []).map(host => ({
    host: host.getString('host').toLowerCase(),
    baseUrl: host.getOptionalString('baseUrl')?.replace(/\/+$/, ''),
    username: host.getOptionalString('username'),
    password: host.getOptionalString('password'),
  }));
  const seen = new Set<string>();
  for (const { host, baseUrl } of hosts) {
    if (seen.has(host)) {
      throw new Error(`stageflow.git.hosts names ${host} more than once`);
    }
    seen.add(host);
    if (baseUrl && !/^(https?|file|ssh|git):\/\//.test(baseUrl)) {
      throw new Error(
        `stageflow.git.hosts[${host}].baseUrl must be an https, http, ssh, git or file URL`,
      );
    }
  }
  return {
    hosts,
    githubGraphql: git?.getOptionalBoolean('githubGraphql') ?? true,
    cacheDir:
      git?.getOptionalString('cacheDir') ??
      join(tmpdir(), 'stageflow-git-cache'),
  };
}
