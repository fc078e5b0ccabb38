import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  normaliseHost,
  readRegistryConfigs,
  RegistryHostConfig,
} from './config';
import { DistributionRegistryClient } from './DistributionRegistryClient';
import { OciLayoutRegistryClient } from './OciLayoutRegistryClient';
import { unconfiguredHostError } from '../resilience/UpstreamError';
import { UpstreamPolicies } from '../resilience/UpstreamPolicies';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import type { RegistryService, WritableRegistryClient } from './types';

/**
 * Hands out one client per configured registry host, built once so that
 * tokens are shared; a host config does not name is refused before any
 * request, so an entity annotation cannot make the backend call an address
 * of its author's choosing.
 *
 * @public
 */
export class DefaultRegistryService implements RegistryService {
  private readonly hosts: Map<string, RegistryHostConfig>;
  private readonly clients = new Map<string, WritableRegistryClient>();
  private readonly logger?: LoggerService;
  private readonly policies: UpstreamPolicies;

  static fromConfig(
    config: Config,
    options: { logger?: LoggerService; policies?: UpstreamPolicies } = {},
  ): DefaultRegistryService {
    return new DefaultRegistryService(readRegistryConfigs(config), {
      ...options,
      policies:
        options.policies ??
        UpstreamPolicies.fromConfig(config, { logger: options.logger }),
    });
  }

  constructor(
    hosts: RegistryHostConfig[],
    options: { logger?: LoggerService; policies?: UpstreamPolicies } = {},
  ) {
    this.hosts = new Map(hosts.map(h => [h.host, h]));
    this.logger = options.logger;
    this.policies =
      options.policies ??
      new UpstreamPolicies({
        defaults: DEFAULT_RESILIENCE,
        hosts: new Map(),
      });
  }

  /** Hosts config names, for error messages and UIs. */
  listHosts(): string[] {
    return [...this.hosts.keys()];
  }

  forHost(host: string): WritableRegistryClient {
    const key = normaliseHost(host);
    const existing = this.clients.get(key);
    if (existing) {
      return existing;
    }
    const config = this.hosts.get(key);
    if (!config) {
      throw unconfiguredHostError('registry', key, 'stageflow.registries');
    }
    const client =
      config.type === 'oci-layout'
        ? new OciLayoutRegistryClient({ host: key, path: config.path! })
        : new DistributionRegistryClient({
            host: key,
            url: config.url,
            credentials: {
              username: config.username,
              password: config.password,
              token: config.token,
            },
            policy: this.policies.forHost(
              'registry',
              key,
              config.timeoutMs ? { timeoutMs: config.timeoutMs } : undefined,
            ),
          });
    this.logger?.debug('Created registry client', {
      host: key,
      type: config.type,
    });
    this.clients.set(key, client);
    return client;
  }
}

/**
 * The registry clients configured under `stageflow.registries`, shared by the
 * Stageflow backend plugin and its modules.
 *
 * @public
 */
export const registryServiceRef = createServiceRef<RegistryService>({
  id: 'stageflow.registry',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.rootLogger,
      },
      factory: ({ config, logger }) =>
        DefaultRegistryService.fromConfig(config, {
          logger: logger.child({ service: 'stageflow.registry' }),
        }),
    }),
});
