import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { StageflowAnnotationProcessor } from './processor/StageflowAnnotationProcessor';
import { StageflowModelProcessor } from './processor/StageflowModelProcessor';
import { StageflowContributionsProvider } from './provider/StageflowContributionsProvider';

/**
 * Catalog module of Stageflow: checks Stageflow annotations and the data
 * model at ingestion, and ingests the entities contributors send to the
 * Stageflow backend.
 *
 * @public
 */
export const catalogModuleStageflow = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'stageflow',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, auth, discovery, logger, scheduler }) {
        catalog.addProcessor(new StageflowAnnotationProcessor());
        catalog.addProcessor(new StageflowModelProcessor());
        catalog.addEntityProvider(
          new StageflowContributionsProvider({
            auth,
            discovery,
            logger,
            // Every 3 s so a registered app shows up while the user still
            // looks at the scaffolder output; the first run is at start-up.
            // Global scope: with several replicas, one reads per tick.
            schedule: scheduler.createScheduledTaskRunner({
              frequency: { seconds: 3 },
              timeout: { minutes: 2 },
              scope: 'global',
            }),
          }),
        );
      },
    });
  },
});
