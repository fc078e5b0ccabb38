import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
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
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(...createStageflowActions());
      },
    });
  },
});
