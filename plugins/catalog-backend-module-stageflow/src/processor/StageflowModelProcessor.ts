import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  RELATION_HAS_PARTNER,
  RELATION_PARTNER_OF,
  getPartnerOfRefs,
  isStageflowModelEntity,
  modelRuleProblems,
} from '@stageflow/plugin-stageflow-common';

/**
 * Checks the Stageflow data model on the entities it concerns (stage
 * instances, projects, clusters, client and partner Groups, contributed
 * entities) and emits the `partnerOf` / `hasPartner` relations of partner
 * Groups. The other relations of the model (`dependsOn`, `ownedBy`,
 * `partOf`, `memberOf`) come from standard spec fields, which the catalog's
 * built-in processor already turns into relations.
 *
 * @public
 */
export class StageflowModelProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'StageflowModelProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isStageflowModelEntity(entity)) {
      return entity;
    }
    const self = getCompoundEntityRef(entity);
    for (const problem of modelRuleProblems(entity)) {
      emit(
        processingResult.inputError(
          location,
          `${entity.kind}:${self.namespace}/${self.name}: ${problem.field} ${problem.message}`,
        ),
      );
    }
    for (const ref of getPartnerOfRefs(entity)) {
      const project = parseEntityRef(ref);
      emit(
        processingResult.relation({
          source: self,
          type: RELATION_PARTNER_OF,
          target: project,
        }),
      );
      emit(
        processingResult.relation({
          source: project,
          type: RELATION_HAS_PARTNER,
          target: self,
        }),
      );
    }
    return entity;
  }
}
