import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import type { GitService } from './types';
import { DefaultGitService } from './DefaultGitService';

/**
 * The git service shared by the Stageflow backend plugin and its modules:
 * one configured client per repository, one response cache per host kept
 * in the plugin's platform cache, so that a restart re-reads conditionally.
 *
 * @public
 */
export const gitServiceRef = createServiceRef<GitService>({
  id: 'stageflow.git',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
      },
      factory: ({ config, logger, cache }) =>
        DefaultGitService.fromConfig(config, {
          logger: logger.child({ service: 'stageflow.git' }),
          cache,
        }),
    }),
});
