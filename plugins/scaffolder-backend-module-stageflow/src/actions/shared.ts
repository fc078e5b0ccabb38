import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  FlowDefinition,
  ImageReference,
  Release,
  formatImageReference,
  parseImageReference,
  renderFlowTemplate,
} from '@stageflow/plugin-stageflow-common';
import {
  ComponentTarget,
  GitRepository,
  GitService,
  RegistryService,
  listReleases,
  readComponentTarget,
} from '@stageflow/plugin-stageflow-node';
import { JsonObject } from '@backstage/types';
import semver from 'semver';

/**
 * What the Stageflow actions are built on: the shared git and registry
 * clients, the flows from config, and the platform services.
 *
 * @public
 */
export interface StageflowActionDeps {
  git: GitService;
  registry: RegistryService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  flows: Record<string, FlowDefinition>;
  defaultFlow: string;
}

/** The component an action works on, read with the initiator's rights. */
export async function resolveTarget(
  deps: StageflowActionDeps,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<ComponentTarget> {
  let ref: string;
  try {
    ref = stringifyEntityRef(
      parseEntityRef(entityRef, { defaultKind: 'component' }),
    );
  } catch (error) {
    throw new InputError(
      `Invalid input: entityRef must be an entity ref such as component:default/phippy, got '${entityRef}'`,
    );
  }
  const entity = await deps.catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw new InputError(
      `Invalid input: entityRef ${ref} is not in the catalog (or not visible to you)`,
    );
  }
  const target = readComponentTarget(entity, deps);
  if (!target.repository) {
    throw new InputError(
      `Invalid input: ${ref} names no git repository (annotation github.com/project-slug or stageflow.io/git-url)`,
    );
  }
  return target;
}

export function repositoryOf(
  deps: StageflowActionDeps,
  target: ComponentTarget,
): GitRepository {
  return deps.git.getRepository(target.repository!);
}

/** Refuses, with the permission's name, what the policy does not allow. */
export async function authorize(
  deps: StageflowActionDeps,
  permission: ResourcePermission<'catalog-entity'>,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<void> {
  const [decision] = await deps.permissions.authorize(
    [{ permission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `You are not allowed to do this on ${entityRef}: permission ${permission.name} is denied (members of the owning group may)`,
    );
  }
}

/** Runs a side effect as an audit event that succeeds or fails with it. */
export async function audited<T>(
  deps: StageflowActionDeps,
  eventId: string,
  meta: JsonObject,
  fn: () => Promise<T>,
): Promise<T> {
  const event = await deps.auditor.createEvent({
    eventId,
    severityLevel: 'medium',
    meta,
  });
  try {
    const result = await fn();
    await event.success();
    return result;
  } catch (error) {
    await event.fail({ error: error as Error });
    throw error;
  }
}

export async function releasesOf(
  deps: StageflowActionDeps,
  target: ComponentTarget,
): Promise<Release[]> {
  return listReleases(repositoryOf(deps, target), target.flow.tagPattern);
}

/** The release of a version, or the latest one; InputError listing what exists. */
export function findRelease(
  releases: Release[],
  version: string | undefined,
  field: string,
): Release {
  if (releases.length === 0) {
    throw new InputError('Invalid input: the component has no release yet');
  }
  if (version === undefined) {
    return releases.find(r => !r.prerelease) ?? releases[0];
  }
  const wanted = version.replace(/^v/, '');
  const release = releases.find(r => r.version === wanted);
  if (!release) {
    throw new InputError(
      `Invalid input: ${field} ${version} is not a release; releases are ${releases
        .slice(0, 10)
        .map(r => r.version)
        .join(', ')}${releases.length > 10 ? ', ...' : ''}`,
    );
  }
  return release;
}

/** What a promotion of a version to a stage will do. */
export interface PromotionPlan {
  stage: string;
  version: string;
  tag: string;
  sha: string;
  source: ImageReference;
  targets: ImageReference[];
  digest: string;
  previousDigest?: string;
  previousVersion?: string;
}

export async function planPromotion(
  deps: StageflowActionDeps,
  target: ComponentTarget,
  options: {
    stage: string;
    release: Release;
    releases: Release[];
    allowDowngrade?: boolean;
  },
): Promise<PromotionPlan> {
  const { release, releases } = options;
  const stage = target.flow.stages.find(s => s.name === options.stage);
  if (!stage) {
    throw new InputError(
      `Invalid input: stage must be one of ${target.flow.stages
        .map(s => s.name)
        .join(', ')} (flow ${target.flow.name}), got '${options.stage}'`,
    );
  }
  if (!stage.promoteTo?.length) {
    throw new InputError(
      `Invalid input: stage ${stage.name} of flow ${target.flow.name} names no tags to promote to`,
    );
  }
  const values = {
    image: target.image,
    sha: release.sha,
    version: release.version,
    tag: release.tag,
  };
  const source = parseImageReference(
    renderFlowTemplate(target.flow.candidateImage, values),
  );
  const client = deps.registry.forHost(source.registry);
  const candidate = await client.resolve(source);
  if (!candidate) {
    throw new InputError(
      `Invalid input: version ${
        release.version
      } has no candidate image: ${formatImageReference(source)} does not exist`,
    );
  }
  const targets = stage.promoteTo.map(t =>
    parseImageReference(renderFlowTemplate(t, values)),
  );
  const current = parseImageReference(
    renderFlowTemplate(stage.image, { image: target.image }),
  );
  const currentDescriptor = await deps.registry
    .forHost(current.registry)
    .resolve(current);
  let previousVersion: string | undefined;
  if (currentDescriptor) {
    const config = await deps.registry
      .forHost(current.registry)
      .getImageConfig({
        ...current,
        tag: undefined,
        digest: currentDescriptor.digest,
      });
    previousVersion = releases.find(r => r.sha === config.revision)?.version;
  }
  if (
    previousVersion &&
    semver.gt(previousVersion, release.version) &&
    !options.allowDowngrade
  ) {
    throw new ConflictError(
      `Stage ${stage.name} runs ${previousVersion}, newer than ${release.version}: set allowDowngrade to go back`,
    );
  }
  return {
    stage: stage.name,
    version: release.version,
    tag: release.tag,
    sha: release.sha,
    source,
    targets,
    digest: candidate.digest,
    ...(currentDescriptor ? { previousDigest: currentDescriptor.digest } : {}),
    ...(previousVersion ? { previousVersion } : {}),
  };
}

export async function executePromotion(
  deps: StageflowActionDeps,
  plan: PromotionPlan,
): Promise<{ digest: string; tags: string[] }> {
  const result = await deps.registry
    .forHost(plan.source.registry)
    .copy(plan.source, plan.targets);
  if (result.digest !== plan.digest) {
    throw new ConflictError(
      `The candidate image changed during the promotion (${plan.digest} -> ${result.digest})`,
    );
  }
  return {
    digest: result.digest,
    tags: plan.targets.map(t => formatImageReference(t)),
  };
}

export function describePlan(plan: PromotionPlan): string {
  return `promote ${plan.version} to ${plan.stage}: ${
    plan.previousDigest ?? '(nothing)'
  } -> ${plan.digest} on ${plan.targets
    .map(t => formatImageReference(t))
    .join(', ')}`;
}
