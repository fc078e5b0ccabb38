import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  DefaultReleaseService,
  ResilientCache,
  gitServiceRef,
  readStageflowConfig,
  registryServiceRef,
} from '@stageflow/plugin-stageflow-node';
import { stageflowPermissions } from '@stageflow/plugin-stageflow-common';
import { createErrorBoundary } from './errorBoundary';
import { createRouter } from './service/router';
import { createExportRouter, readArgoCdExportTrust } from './export';
import {
  ContributionsStore,
  ContributorAccess,
  createContributionsRouter,
} from './contributions';
import { DatabasePromotionLock } from './release/DatabasePromotionLock';
import { createReleaseAnnouncer } from './release/createReleaseAnnouncer';
import { createReleaseRouter } from './release/createReleaseRouter';
import {
  PROMOTION_REQUESTS_SWEEP_TASK,
  PromotionApprovalsService,
  PromotionNotifier,
  PromotionRequestStore,
  createApprovalsRouter,
} from './release/approvals';
import { SnapshotStore } from './service/SnapshotStore';
import { StageflowService } from './service/StageflowService';
import { scheduleSnapshots } from './service/snapshots';
import { useReadiness } from './readiness';
import {
  createRegistryNotificationsRouter,
  PushRefresher,
  readPushConfig,
  REGISTRY_NOTIFICATIONS_PATH,
  subscribeToGithubEvents,
} from './push';

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
        lifecycle: coreServices.lifecycle,
        events: eventsServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
        catalog: catalogServiceRef,
        git: gitServiceRef,
        registry: registryServiceRef,
      },
      async init(deps) {
        const { config, logger, httpRouter, httpAuth, auth, catalog } = deps;
        useReadiness(deps);
        const settings = readStageflowConfig(config);
        const { contributors } = settings;
        // Safe without the backend's own wrapping (which the demo backend
        // has): a Redis outage costs speed, never an answer.
        const cache = ResilientCache.wrap(deps.cache, { logger });
        // Both stores run the migrations of this package: one after the other.
        const store = await SnapshotStore.create(deps.database, cache);
        const contributions = await ContributionsStore.create({
          database: deps.database,
        });
        deps.permissionsRegistry.addPermissions(stageflowPermissions);
        const db = await deps.database.getClient();
        const push = readPushConfig(config, settings);
        const announcer = createReleaseAnnouncer({
          events: deps.events,
          signals: deps.signals,
          logger,
        });
        // The approvals run approved requests through the release service,
        // which asks them first: built one after the other.
        const built: { release?: DefaultReleaseService } = {};
        const approvals = new PromotionApprovalsService({
          store: new PromotionRequestStore(db),
          catalog,
          auth,
          permissions: deps.permissions,
          userInfo: deps.userInfo,
          announcer,
          notifier: new PromotionNotifier(deps.notifications, logger),
          logger,
          expireAfterMs: settings.approvalsExpireAfterMs,
          release: () => built.release!,
        });
        const release = DefaultReleaseService.create({
          catalog,
          permissions: deps.permissions,
          auditor: deps.auditor,
          auth,
          cache,
          git: deps.git,
          registry: deps.registry,
          logger,
          config: settings,
          history: {
            record: async change => {
              await store.record(change);
            },
          },
          lock: new DatabasePromotionLock(db),
          announcer,
          approvals,
        });
        built.release = release;
        // Expiry and abandoned approved runs, on one replica at a time.
        await deps.scheduler.scheduleTask({
          id: PROMOTION_REQUESTS_SWEEP_TASK,
          frequency: { minutes: 1 },
          timeout: { minutes: 30 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            await approvals.sweep();
          },
        });
        const { resolver, facts } = release;
        const service = new StageflowService({
          catalog,
          release,
          store,
          flows: settings.flows,
          defaultFlow: settings.defaultFlow,
          logger,
          cache,
        });
        await scheduleSnapshots({
          scheduler: deps.scheduler,
          lifecycle: deps.lifecycle,
          frequencyMinutes: push.snapshotFrequencyMinutes,
          catalog,
          auth,
          resolver,
          facts,
          store,
          flows: settings.flows,
          defaultFlow: settings.defaultFlow,
          logger,
        });
        // Webhooks and registry notifications refresh what they concern.
        const refresher = new PushRefresher({
          catalog,
          auth,
          facts,
          announcer,
          flows: settings.flows,
          defaultFlow: settings.defaultFlow,
          logger,
        });
        await subscribeToGithubEvents({
          events: deps.events,
          refresher,
          logger,
        });
        if (push.registrySecret) {
          httpRouter.use(
            await createRegistryNotificationsRouter({
              secret: push.registrySecret,
              refresher,
              logger,
            }),
          );
          httpRouter.addAuthPolicy({
            path: REGISTRY_NOTIFICATIONS_PATH,
            allow: 'unauthenticated',
          });
        }
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
        httpRouter.use(await createRouter({ httpAuth, service, release }));
        httpRouter.use(await createReleaseRouter({ httpAuth, release }));
        httpRouter.use(await createApprovalsRouter({ httpAuth, approvals }));
        httpRouter.use(
          await createExportRouter({
            catalog,
            httpAuth,
            trust: readArgoCdExportTrust(config, contributors),
            stages: (appRef, credentials) =>
              release.getStages(appRef, { credentials }).catch(error => {
                logger.warn('The Argo CD export could not read the stages', {
                  entityRef: appRef,
                  error: (error as Error)?.message ?? String(error),
                });
                throw error;
              }),
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
