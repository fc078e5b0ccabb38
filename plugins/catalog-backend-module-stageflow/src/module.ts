import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { StageflowAnnotationProcessor } from './processor/StageflowAnnotationProcessor';

/**
 * Catalog module of Stageflow: checks Stageflow annotations at ingestion.
 *
 * @public
 */
export const catalogModuleStageflow = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'stageflow',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new StageflowAnnotationProcessor());
      },
    });
  },
});
