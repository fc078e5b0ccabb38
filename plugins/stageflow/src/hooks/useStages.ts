import { Entity } from '@backstage/catalog-model';
import { StagesResponse } from '@stageflow/plugin-stageflow-common';
import { useEntityQuery } from './useEntityQuery';
import { StageflowQuery } from './useStageflowQuery';

/** The stages of the entity; nothing is read while `entity` is undefined. */
export function useStages(
  entity: Entity | undefined,
): StageflowQuery<StagesResponse> {
  return useEntityQuery(entity, (api, ref) => api.getStages(ref));
}
