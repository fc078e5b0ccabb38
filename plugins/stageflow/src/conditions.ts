import { Entity } from '@backstage/catalog-model';
import { STAGEFLOW_IMAGE_ANNOTATION } from '@stageflow/plugin-stageflow-common';

/**
 * True when the entity names the image Stageflow reads its stages from.
 *
 * @public
 */
export function isStageflowAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[STAGEFLOW_IMAGE_ANNOTATION]);
}
