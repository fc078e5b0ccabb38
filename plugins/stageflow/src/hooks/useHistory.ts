import { Entity } from '@backstage/catalog-model';
import { HistoryResponse } from '@stageflow/plugin-stageflow-common';
import { useEntityQuery } from './useEntityQuery';
import { StageflowQuery } from './useStageflowQuery';

/** The stage transitions and DORA figures of the entity. */
export function useHistory(
  entity: Entity | undefined,
): StageflowQuery<HistoryResponse> {
  return useEntityQuery(entity, (api, ref) => api.getHistory(ref));
}
