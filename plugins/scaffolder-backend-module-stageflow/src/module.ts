import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { releaseServiceRef } from '@stageflow/plugin-stageflow-node';
import { createStageflowActions } from './actions';

/**
 * Scaffolder module of Stageflow: the `stageflow:*` actions, which act
 * through the release service of the Stageflow backend on behalf of the
 * user who started the task.
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
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        releaseService: releaseServiceRef,
      },
      async init({ scaffolder, ...deps }) {
        scaffolder.addActions(...createStageflowActions(deps));
      },
    });
  },
});
