import { Entity } from '@backstage/catalog-model';
import { PromotionsResponse } from '@stageflow/plugin-stageflow-common';
import { useEntityQuery } from './useEntityQuery';
import { StageflowQuery } from './useStageflowQuery';

/** The promotion requests of the entity's protected stages. */
export function usePromotions(
  entity: Entity | undefined,
): StageflowQuery<PromotionsResponse> {
  return useEntityQuery(entity, (api, ref) => api.getPromotions(ref));
}
