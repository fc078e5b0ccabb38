import { createBackend } from '@backstage/backend-defaults';
import { authModuleTeammateProvider } from './auth/teammateProvider';
import { resilientCacheServiceFactory } from './cache/resilientCacheServiceFactory';
import { migrationSafeDatabaseServiceFactory } from './database/migrationSafeDatabaseServiceFactory';
import { permissionModuleStageflowPolicy } from './permissions/module';
import { servicePrincipalGrantsFactory } from './permissions/servicePrincipalPermissions';

const backend = createBackend();

// A Redis client that reconnects, and a short timeout with a memory
// fallback on every cache call: a Redis outage costs speed, never answers.
backend.add(resilientCacheServiceFactory);
// Replicas started together wait for each other's migrations.
backend.add(migrationSafeDatabaseServiceFactory);

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for the demo, and a second demo sign-in (teammate)
// so that a promotion requested as one member of team-b can be approved
// as another
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(authModuleTeammateProvider);

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

// notifications: Stageflow notifies the approvers of a promotion request,
// and the requester of its outcome
backend.add(import('@backstage/plugin-notifications-backend'));

// events: GitHub webhooks at /api/events/http/github, their signature
// checked (events.modules.github.webhookSecret), published as github.<event>
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-events-backend-module-github'));

// Stageflow
backend.add(import('@stageflow/plugin-stageflow-backend'));
backend.add(import('@stageflow/plugin-catalog-backend-module-stageflow'));
backend.add(import('@stageflow/plugin-scaffolder-backend-module-stageflow'));

// The backend logs unhandled rejections and lives on, so a failed start-up
// would leave a half-started replica behind, still answering on the routes
// of the plugins that did start: end it instead, and let the orchestrator
// start it again.
backend.start().catch(error => {
  process.stderr.write(`Backend start-up failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
