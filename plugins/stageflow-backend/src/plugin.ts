import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  gitServiceRef,
  registryServiceRef,
} from '@stageflow/plugin-stageflow-node';
import { readStageflowConfig } from '@stageflow/plugin-stageflow-node';
import { stageflowPermissions } from '@stageflow/plugin-stageflow-common';
import { createErrorBoundary } from './errorBoundary';
import { createRouter } from './service/router';
import { createExportRouter, readArgoCdExportTrust } from './export';
import {
  ContributionsStore,
  ContributorAccess,
  createContributionsRouter,
  readContributorsConfig,
} from './contributions';
import { SnapshotStore } from './service/SnapshotStore';
import { StageResolver } from './service/StageResolver';
import { StageflowFacts } from './service/StageflowFacts';
import { StageflowService } from './service/StageflowService';
import { scheduleSnapshots } from './service/snapshots';

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
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        userInfo: coreServices.userInfo,
        cache: coreServices.cache,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
        catalog: catalogServiceRef,
        git: gitServiceRef,
        registry: registryServiceRef,
      },
      async init(deps) {
        const { config, logger, httpRouter, httpAuth, auth, catalog } = deps;
        const settings = readStageflowConfig(config);
        const contributors = readContributorsConfig(config);
        const facts = new StageflowFacts({
          cache: deps.cache,
          git: deps.git,
          registry: deps.registry,
          ttlSeconds: settings.cacheTtlSeconds,
        });
        const resolver = new StageResolver(facts, logger);
        // Both stores run the migrations of this package: one after the other.
        const store = await SnapshotStore.create(deps.database);
        const contributions = await ContributionsStore.create({
          database: deps.database,
        });
        deps.permissionsRegistry.addPermissions(stageflowPermissions);
        const service = new StageflowService({
          catalog,
          auth,
          permissions: deps.permissions,
          resolver,
          facts,
          store,
          flows: settings.flows,
          defaultFlow: settings.defaultFlow,
          logger,
        });
        await scheduleSnapshots({
          scheduler: deps.scheduler,
          frequencyMinutes: settings.snapshotFrequencyMinutes,
          catalog,
          auth,
          resolver,
          facts,
          store,
          flows: settings.flows,
          defaultFlow: settings.defaultFlow,
          logger,
        });
        // Contributions first: they accept larger bodies than the rest.
        httpRouter.use(
          await createContributionsRouter({
            store: contributions,
            httpAuth,
            auditor: deps.auditor,
            access: new ContributorAccess({
              contributors,
              auth,
              userInfo: deps.userInfo,
              permissions: deps.permissions,
            }),
            catalog,
            auth,
            logger,
            // The catalog module ingests at once on this announcement.
            events: deps.events,
          }),
        );
        httpRouter.use(await createRouter({ httpAuth, service }));
        httpRouter.use(
          await createExportRouter({
            catalog,
            httpAuth,
            trust: readArgoCdExportTrust(config, contributors),
          }),
        );
        httpRouter.use(createErrorBoundary({ logger }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info('Stageflow backend ready', {
          defaultFlow: settings.defaultFlow,
          flows: Object.keys(settings.flows).join(','),
        });
      },
    });
  },
});
