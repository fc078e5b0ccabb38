import { Entity } from '@backstage/catalog-model';
import { UnreleasedResponse } from '@stageflow/plugin-stageflow-common';
import { useEntityQuery } from './useEntityQuery';
import { StageflowQuery, unlessMissing } from './useStageflowQuery';

/** The unreleased commits; undefined when the backend has no such endpoint. */
export function useUnreleased(
  entity: Entity | undefined,
): StageflowQuery<UnreleasedResponse> {
  return useEntityQuery(entity, (api, ref) =>
    unlessMissing(() => api.getUnreleased(ref)),
  );
}
