import { Entity } from '@backstage/catalog-model';
import { ReleasesResponse } from '@stageflow/plugin-stageflow-common';
import { useEntityQuery } from './useEntityQuery';
import { StageflowQuery } from './useStageflowQuery';

/** The releases of the entity, newest first. */
export function useReleases(
  entity: Entity | undefined,
): StageflowQuery<ReleasesResponse> {
  return useEntityQuery(entity, (api, ref) => api.getReleases(ref));
}
