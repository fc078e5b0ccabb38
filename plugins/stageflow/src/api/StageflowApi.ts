import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  ReleasesResponse,
  StagesResponse,
} from '@stageflow/plugin-stageflow-common';

/**
 * Client of the Stageflow backend API.
 *
 * @public
 */
export interface StageflowApi {
  getStages(entity: CompoundEntityRef): Promise<StagesResponse>;
  getReleases(entity: CompoundEntityRef): Promise<ReleasesResponse>;
}

/**
 * @public
 */
export const stageflowApiRef = createApiRef<StageflowApi>({
  id: 'plugin.stageflow.api',
});
