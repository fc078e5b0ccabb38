import { Entity } from '@backstage/catalog-model';
import { HotfixesResponse } from '@stageflow/plugin-stageflow-common';
import { useEntityQuery } from './useEntityQuery';
import { StageflowQuery, unlessMissing } from './useStageflowQuery';

/** Open hotfix branches and candidates; undefined without the endpoint. */
export function useHotfixes(
  entity: Entity | undefined,
): StageflowQuery<HotfixesResponse> {
  return useEntityQuery(entity, (api, ref) =>
    unlessMissing(() => api.getHotfixes(ref)),
  );
}
