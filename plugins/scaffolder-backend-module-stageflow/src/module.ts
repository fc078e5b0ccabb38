import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  gitServiceRef,
  readStageflowConfig,
  registryServiceRef,
} from '@stageflow/plugin-stageflow-node';
import { createStageflowActions } from './actions';

/**
 * Scaffolder module of Stageflow: the `stageflow:*` actions.
 *
 * @public
 */
export const scaffolderModuleStageflow = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'stageflow',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        git: gitServiceRef,
        registry: registryServiceRef,
      },
      async init({ scaffolder, config, ...deps }) {
        const { flows, defaultFlow } = readStageflowConfig(config);
        scaffolder.addActions(
          ...createStageflowActions({ ...deps, flows, defaultFlow }),
        );
      },
    });
  },
});
