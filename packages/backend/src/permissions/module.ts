import { createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { StageflowPermissionPolicy } from './StageflowPermissionPolicy';

export const permissionModuleStageflowPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'stageflow-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new StageflowPermissionPolicy());
      },
    });
  },
});
