import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AlphaEntity } from '@backstage/catalog-model/alpha';
import { CatalogProcessor } from '@backstage/plugin-catalog-node';
import {
  FLOW_PRESETS,
  STAGEFLOW_FLOW_ANNOTATION,
  STAGEFLOW_GIT_URL_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
  parseImageReference,
} from '@stageflow/plugin-stageflow-common';

const GIT_URL_PROTOCOLS = ['https:', 'http:', 'ssh:', 'git:', 'file:'];

// The status type the catalog's entity page shows as processing errors.
const CATALOG_PROCESSING_STATUS = 'backstage.io/catalog-processing';

/**
 * Checks the Stageflow annotations of every entity at ingestion, so that a
 * typo shows up as a processing error on the entity instead of an empty card.
 *
 * A problem is not emitted as a processing result: the catalog would then
 * never store an entity it sees for the first time. The entity is kept, the
 * problem is put in its status (which the entity page shows as a
 * processing error, like the catalog's own) and logged.
 *
 * @public
 */
export class StageflowAnnotationProcessor implements CatalogProcessor {
  private readonly flows: string[];
  private readonly logger?: LoggerService;

  /** `flows`: the configured flow names (presets and `stageflow.flows`). */
  constructor(options?: { flows?: string[]; logger?: LoggerService }) {
    this.flows = options?.flows ?? Object.keys(FLOW_PRESETS);
    this.logger = options?.logger;
  }

  getProcessorName(): string {
    return 'StageflowAnnotationProcessor';
  }

  async postProcessEntity(entity: AlphaEntity): Promise<AlphaEntity> {
    const problems = [...this.problems(entity)];
    if (problems.length === 0) {
      return entity;
    }
    this.logger?.warn('Entity has bad Stageflow annotations', {
      entityRef: stringifyEntityRef(entity),
      problems: problems.join('; '),
    });
    return {
      ...entity,
      status: {
        ...entity.status,
        items: [
          ...(entity.status?.items ?? []),
          ...problems.map(message => ({
            type: CATALOG_PROCESSING_STATUS,
            level: 'error' as const,
            message: `InputError: ${message}`,
            error: { name: 'InputError', message },
          })),
        ],
      },
    };
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
