import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  FlowDefinition,
  GITHUB_PROJECT_SLUG_ANNOTATION,
  STAGEFLOW_FLOW_ANNOTATION,
  STAGEFLOW_GIT_URL_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
  parseImageReference,
} from '@stageflow/plugin-stageflow-common';
import { GitRepositoryLocator } from '../git/types';

/**
 * What Stageflow follows for one component: its flow, image base and git
 * repository, read from its annotations.
 *
 * @public
 */
export interface ComponentTarget {
  entityRef: string;
  flow: FlowDefinition;
  image: string;
  repository?: GitRepositoryLocator;
}

function githubHost(entity: Entity): string {
  const location = entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
  const url = location?.replace(/^url:/, '');
  try {
    return url ? new URL(url).host : 'github.com';
  } catch {
    return 'github.com';
  }
}

/**
 * The git repository an entity names (`stageflow.io/git-url`, else
 * `github.com/project-slug`); a malformed slug is an InputError.
 *
 * @public
 */
export function readRepositoryLocator(
  entity: Entity,
): GitRepositoryLocator | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const gitUrl = annotations[STAGEFLOW_GIT_URL_ANNOTATION];
  const slug = annotations[GITHUB_PROJECT_SLUG_ANNOTATION];
  if (gitUrl) {
    return { type: 'git', url: gitUrl };
  }
  if (!slug) {
    return undefined;
  }
  const [owner, repo, ...rest] = slug.split('/');
  if (!owner || !repo || rest.length) {
    throw new InputError(
      `${stringifyEntityRef(
        entity,
      )}: annotation ${GITHUB_PROJECT_SLUG_ANNOTATION} must be <owner>/<repo>, got '${slug}'`,
    );
  }
  return { type: 'github', host: githubHost(entity), owner, repo };
}

/**
 * Reads what Stageflow follows from a component's annotations; a bad
 * annotation is an InputError naming it, a missing image a NotFoundError.
 *
 * @public
 */
export function readComponentTarget(
  entity: Entity,
  options: { flows: Record<string, FlowDefinition>; defaultFlow: string },
): ComponentTarget {
  const entityRef = stringifyEntityRef(entity);
  const annotations = entity.metadata.annotations ?? {};

  const image = annotations[STAGEFLOW_IMAGE_ANNOTATION];
  if (!image) {
    throw new NotFoundError(
      `${entityRef} has no ${STAGEFLOW_IMAGE_ANNOTATION} annotation`,
    );
  }
  const parsedImage = (() => {
    try {
      return parseImageReference(image);
    } catch (error) {
      throw new InputError(
        `${entityRef}: annotation ${STAGEFLOW_IMAGE_ANNOTATION} is not a valid image reference: ${
          (error as Error).message
        }`,
      );
    }
  })();
  if (parsedImage.tag || parsedImage.digest) {
    throw new InputError(
      `${entityRef}: annotation ${STAGEFLOW_IMAGE_ANNOTATION} must be an image base without tag or digest`,
    );
  }

  const flowName =
    annotations[STAGEFLOW_FLOW_ANNOTATION] ?? options.defaultFlow;
  const flow = options.flows[flowName];
  if (!flow) {
    throw new InputError(
      `${entityRef}: annotation ${STAGEFLOW_FLOW_ANNOTATION} names unknown flow '${flowName}', expected one of ${Object.keys(
        options.flows,
      ).join(', ')}`,
    );
  }

  const repository = readRepositoryLocator(entity);
  return { entityRef, flow, image, repository };
}
