import {
  Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { StageflowApi } from '../api';
import { StageflowQuery, useStageflowQuery } from './useStageflowQuery';

/**
 * A query about one entity, read again when the backend announces a change
 * of it; nothing is read while `entity` is undefined.
 */
export function useEntityQuery<T>(
  entity: Entity | undefined,
  read: (
    api: StageflowApi,
    ref: ReturnType<typeof getCompoundEntityRef>,
  ) => Promise<T | undefined>,
  extraDeps: unknown[] = [],
): StageflowQuery<T> {
  const entityRef = entity ? stringifyEntityRef(entity) : undefined;
  return useStageflowQuery(
    async api => (entity ? read(api, getCompoundEntityRef(entity)) : undefined),
    [entityRef, ...extraDeps],
    entityRef,
  );
}
