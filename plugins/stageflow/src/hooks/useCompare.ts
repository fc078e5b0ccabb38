import { Entity } from '@backstage/catalog-model';
import { CompareResponse } from '@stageflow/plugin-stageflow-common';
import { useEntityQuery } from './useEntityQuery';
import { StageflowQuery } from './useStageflowQuery';

/** The commits between two points of the entity's repository. */
export function useCompare(
  entity: Entity | undefined,
  range: { from: string; to: string } | undefined,
): StageflowQuery<CompareResponse> {
  const from = range?.from;
  const to = range?.to;
  return useEntityQuery(
    entity,
    async (api, ref) =>
      from && to ? api.getCompare(ref, { from, to }) : undefined,
    [from, to],
  );
}
