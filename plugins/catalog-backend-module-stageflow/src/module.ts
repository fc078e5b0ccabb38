import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { STAGEFLOW_CONTRIBUTIONS_TOPIC } from '@stageflow/plugin-stageflow-common';
import { readStageflowConfig } from '@stageflow/plugin-stageflow-node';
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
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
      },
      async init({
        catalog,
        config,
        auth,
        discovery,
        logger,
        scheduler,
        events,
      }) {
        // The flows entities may name: the presets and stageflow.flows.
        const { flows } = readStageflowConfig(config);
        catalog.addProcessor(
          new StageflowAnnotationProcessor({
            flows: Object.keys(flows),
            logger,
          }),
        );
        catalog.addProcessor(new StageflowModelProcessor());
        const provider = new StageflowContributionsProvider({
          auth,
          discovery,
          logger,
          // The first run is at start-up. Every 3 s as well as on each
          // announcement: the events service only reaches other replicas
          // when the events backend's bus is installed. Global scope: with
          // several replicas, one reads per tick.
          schedule: scheduler.createScheduledTaskRunner({
            frequency: { seconds: 3 },
            timeout: { minutes: 2 },
            scope: 'global',
          }),
        });
        catalog.addEntityProvider(provider);
        // A contributor's change is ingested at once, not on the next tick.
        await events.subscribe({
          id: 'catalog-stageflow-contributions',
          topics: [STAGEFLOW_CONTRIBUTIONS_TOPIC],
          onEvent: () => provider.refreshSoon({ force: true }),
        });
      },
    });
  },
});
