import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import type { GitService } from './types';
import { DefaultGitService } from './DefaultGitService';

/**
 * The git service shared by the Stageflow backend plugin and its modules:
 * one configured client per repository, one response cache per host.
 *
 * @public
 */
export const gitServiceRef = createServiceRef<GitService>({
  id: 'stageflow.git',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.rootLogger,
      },
      factory: ({ config, logger }) =>
        DefaultGitService.fromConfig(config, {
          logger: logger.child({ service: 'stageflow.git' }),
        }),
    }),
});
