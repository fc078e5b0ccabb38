import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { readStageflowBackendConfig } from './config';
import { createRouter } from './service/router';

/**
 * The Stageflow backend plugin: versions per stage of each component.
 *
 * @public
 */
export const stageflowPlugin = createBackendPlugin({
  pluginId: 'stageflow',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
      },
      async init({ config, logger, httpRouter }) {
        const settings = readStageflowBackendConfig(config);
        httpRouter.use(await createRouter());
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info('Stageflow backend ready', {
          defaultFlow: settings.defaultFlow,
        });
      },
    });
  },
});
