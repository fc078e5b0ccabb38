import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import {
  normaliseHost,
  readRegistryConfigs,
  RegistryHostConfig,
} from './config';
import { DistributionRegistryClient } from './DistributionRegistryClient';
import { OciLayoutRegistryClient } from './OciLayoutRegistryClient';
import type { RegistryRetryOptions } from './RegistryTransport';
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
  private readonly retry?: RegistryRetryOptions;

  static fromConfig(
    config: Config,
    options: { logger?: LoggerService; retry?: RegistryRetryOptions } = {},
  ): DefaultRegistryService {
    return new DefaultRegistryService(readRegistryConfigs(config), options);
  }

  constructor(
    hosts: RegistryHostConfig[],
    options: { logger?: LoggerService; retry?: RegistryRetryOptions } = {},
  ) {
    this.hosts = new Map(hosts.map(h => [h.host, h]));
    this.logger = options.logger;
    this.retry = options.retry;
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
      throw new NotAllowedError(
        `Registry host ${key} is not configured in stageflow.registries`,
      );
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
            timeoutMs: config.timeoutMs,
            retry: this.retry,
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
