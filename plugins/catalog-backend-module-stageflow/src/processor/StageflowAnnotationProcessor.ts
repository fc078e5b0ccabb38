import { Entity } from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  FLOW_PRESETS,
  STAGEFLOW_FLOW_ANNOTATION,
  STAGEFLOW_GIT_URL_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
  parseImageReference,
} from '@stageflow/plugin-stageflow-common';

const GIT_URL_PROTOCOLS = ['https:', 'http:', 'ssh:', 'git:', 'file:'];

/**
 * Checks the Stageflow annotations of every entity at ingestion, so that a
 * typo shows up as a processing error on the entity instead of an empty card.
 *
 * @public
 */
export class StageflowAnnotationProcessor implements CatalogProcessor {
  private readonly flows: string[];

  constructor(options?: { flows?: string[] }) {
    this.flows = options?.flows ?? Object.keys(FLOW_PRESETS);
  }

  getProcessorName(): string {
    return 'StageflowAnnotationProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    for (const message of this.problems(entity)) {
      emit(processingResult.inputError(location, message));
    }
    return entity;
  }

  private *problems(entity: Entity): Generator<string> {
    const annotations = entity.metadata.annotations ?? {};
    const ref = `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${
      entity.metadata.name
    }`;

    const flow = annotations[STAGEFLOW_FLOW_ANNOTATION];
    if (flow !== undefined && !this.flows.includes(flow)) {
      yield `${ref}: annotation ${STAGEFLOW_FLOW_ANNOTATION} names unknown flow '${flow}', expected one of ${this.flows.join(
        ', ',
      )}`;
    }

    const image = annotations[STAGEFLOW_IMAGE_ANNOTATION];
    if (image !== undefined) {
      try {
        const parsed = parseImageReference(image);
        if (parsed.tag || parsed.digest) {
          yield `${ref}: annotation ${STAGEFLOW_IMAGE_ANNOTATION} must be an image base without tag or digest, got '${image}'`;
        }
      } catch (error) {
        yield `${ref}: annotation ${STAGEFLOW_IMAGE_ANNOTATION} is not a valid image reference: ${
          (error as Error).message
        }`;
      }
    }

    const gitUrl = annotations[STAGEFLOW_GIT_URL_ANNOTATION];
    if (gitUrl !== undefined) {
      let protocol: string | undefined;
      try {
        protocol = new URL(gitUrl).protocol;
      } catch {
        protocol = undefined;
      }
      if (!protocol || !GIT_URL_PROTOCOLS.includes(protocol)) {
        yield `${ref}: annotation ${STAGEFLOW_GIT_URL_ANNOTATION} must be an https, ssh, git or file URL, got '${gitUrl}'`;
      }
    }
  }
}
