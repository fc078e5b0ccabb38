import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  GITHUB_PROJECT_SLUG_ANNOTATION,
  STAGEFLOW_GIT_URL_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
} from '../annotations';
import {
  MODEL_KINDS,
  STAGEFLOW_CONSUMERS_ANNOTATION,
  STAGEFLOW_CONTRIBUTOR_ANNOTATION,
  STAGEFLOW_PARTNER_OF_ANNOTATION,
} from './constants';
import { EntitySetProblem } from './validation';

/**
 * The groups of annotations a contributor's entities may carry only where
 * its config allows them, because Stageflow acts on them: `git`
 * (`stageflow.io/git-url`, `github.com/project-slug`: the repository an
 * action tags and branches), `image` (`stageflow.io/image`: the image a
 * promotion writes), `cluster` (`kubernetes.io/api-server`: an Argo CD
 * destination), `stageflow` (every other `stageflow.io/` annotation, such as
 * the flow or the chart path, except the data model's own).
 *
 * @public
 */
export const CONTRIBUTOR_ANNOTATION_GROUPS = [
  'git',
  'image',
  'cluster',
  'stageflow',
] as const;

/**
 * One of {@link CONTRIBUTOR_ANNOTATION_GROUPS}.
 *
 * @public
 */
export type ContributorAnnotationGroup =
  (typeof CONTRIBUTOR_ANNOTATION_GROUPS)[number];

/**
 * The kinds a contributor may write when its config names none. User and
 * Group make identities and memberships, so only a contributor configured as
 * an identity source may write them.
 *
 * @public
 */
export const DEFAULT_CONTRIBUTOR_KINDS = ['Component', 'Resource'] as const;

/**
 * Annotation of a cluster Resource naming its API server; the one
 * Backstage's Kubernetes plugin reads.
 *
 * @public
 */
export const KUBERNETES_API_SERVER_ANNOTATION = 'kubernetes.io/api-server';

/**
 * What a contributor's entities may be, from its config.
 *
 * @public
 */
export interface ContributorRules {
  kinds: ReadonlyArray<(typeof MODEL_KINDS)[number]>;
  annotations: ReadonlyArray<ContributorAnnotationGroup>;
}

// The data model's own annotations: every contributor writes them.
const MODEL_ANNOTATIONS = new Set([
  STAGEFLOW_CONTRIBUTOR_ANNOTATION,
  STAGEFLOW_CONSUMERS_ANNOTATION,
  STAGEFLOW_PARTNER_OF_ANNOTATION,
]);

/**
 * The group an annotation belongs to, or undefined when any contributor may
 * write it.
 *
 * @public
 */
export function contributorAnnotationGroup(
  key: string,
): ContributorAnnotationGroup | undefined {
  if (
    key === STAGEFLOW_GIT_URL_ANNOTATION ||
    key === GITHUB_PROJECT_SLUG_ANNOTATION
  ) {
    return 'git';
  }
  if (key === STAGEFLOW_IMAGE_ANNOTATION) {
    return 'image';
  }
  if (key === KUBERNETES_API_SERVER_ANNOTATION) {
    return 'cluster';
  }
  if (key.startsWith('stageflow.io/') && !MODEL_ANNOTATIONS.has(key)) {
    return 'stageflow';
  }
  return undefined;
}

function refOrUndefined(entity: Entity): string | undefined {
  try {
    return stringifyEntityRef(entity);
  } catch {
    return undefined;
  }
}

/**
 * What a contributor's rules refuse in a set of entities already valid for
 * the catalog: kinds it may not write and annotations it may not carry.
 *
 * @public
 */
export function contributorRuleProblems(
  contributor: string,
  rules: ContributorRules,
  entities: unknown[],
): EntitySetProblem[] {
  const problems: EntitySetProblem[] = [];
  entities.forEach((item, index) => {
    const entity = item as Entity;
    // Malformed entities are the validators' to report.
    if (
      typeof entity?.kind !== 'string' ||
      typeof entity.metadata?.name !== 'string'
    ) {
      return;
    }
    const entityRef = refOrUndefined(entity);
    if (!(rules.kinds as readonly string[]).includes(entity.kind)) {
      problems.push({
        index,
        ...(entityRef ? { entityRef } : {}),
        field: 'kind',
        message: `contributor ${contributor} may not write kind ${
          entity.kind
        } (it may write ${rules.kinds.join(', ') || 'no kind'})`,
      });
    }
    const annotations = entity.metadata.annotations;
    for (const key of Object.keys(
      annotations && typeof annotations === 'object' ? annotations : {},
    )) {
      const group = contributorAnnotationGroup(key);
      if (group && !rules.annotations.includes(group)) {
        problems.push({
          index,
          ...(entityRef ? { entityRef } : {}),
          field: `metadata.annotations.${key}`,
          message: `contributor ${contributor} may not write ${group} annotations (stageflow.contributors.${contributor}.annotations does not list ${group})`,
        });
      }
    }
  });
  return problems;
}

/**
 * The location key of a contributor's entities in the catalog (their
 * `backstage.io/managed-by-location`): one per contributor, so that the
 * catalog refuses to let one contributor overwrite another's entity.
 *
 * @public
 */
export function contributorLocationKey(contributor: string): string {
  return `stageflow-contributor:${contributor}`;
}
