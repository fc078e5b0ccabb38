import { createBackend } from '@backstage/backend-defaults';
import { permissionModuleStageflowPolicy } from './permissions/module';
import { servicePrincipalGrantsFactory } from './permissions/servicePrincipalPermissions';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for the demo
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
// Releases, hotfixes and promotions are for members of the owning group.
backend.add(permissionModuleStageflowPolicy);
// Service principals tag, branch and promote only with a grant by name.
backend.add(servicePrincipalGrantsFactory);

// signals: the user settings storage of the app listens to them
backend.add(import('@backstage/plugin-signals-backend'));

// Stageflow
backend.add(import('@stageflow/plugin-stageflow-backend'));
backend.add(import('@stageflow/plugin-catalog-backend-module-stageflow'));
backend.add(import('@stageflow/plugin-scaffolder-backend-module-stageflow'));

backend.start();
