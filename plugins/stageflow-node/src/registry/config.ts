import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** @public */
export interface RegistryHostConfig {
  host: string;
  type: 'distribution' | 'oci-layout';
  url?: string;
  path?: string;
  username?: string;
  password?: string;
  token?: string;
  /** The older per-host timeout; `stageflow.resilience` is the place for it now. */
  timeoutMs?: number;
}

/** Docker Hub is written `docker.io` in references whatever host config uses. */
export function normaliseHost(host: string): string {
  const lower = host.trim().toLowerCase();
  return lower === 'index.docker.io' || lower === 'registry-1.docker.io'
    ? 'docker.io'
    : lower;
}

/**
 * Reads `stageflow.registries`, failing at start-up on a bad entry rather than
 * on the first promotion.
 *
 * @public
 */
export function readRegistryConfigs(config: Config): RegistryHostConfig[] {
  const entries = config.getOptionalConfigArray('stageflow.registries') ?? [];
  const seen = new Set<string>();
  return entries.map(entry => {
    const host = normaliseHost(entry.getString('host'));
    if (seen.has(host)) {
      throw new InputError(`stageflow.registries lists host ${host} twice`);
    }
    seen.add(host);
    const type = entry.getOptionalString('type') ?? 'distribution';
    if (type !== 'distribution' && type !== 'oci-layout') {
      throw new InputError(
        `stageflow.registries host ${host} has type "${type}"; use distribution or oci-layout`,
      );
    }
    const path = entry.getOptionalString('path');
    if (type === 'oci-layout' && !path) {
      throw new InputError(
        `stageflow.registries host ${host} of type oci-layout needs a path`,
      );
    }
    return {
      host,
      type,
      url: entry.getOptionalString('url'),
      path,
      username: entry.getOptionalString('username'),
      password: entry.getOptionalString('password'),
      token: entry.getOptionalString('token'),
      timeoutMs: entry.getOptionalNumber('timeoutMs'),
    };
  });
}
