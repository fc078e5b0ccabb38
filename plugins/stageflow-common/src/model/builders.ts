import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  AppType,
  CLIENT_GROUP_TYPE,
  CLUSTER_RESOURCE_TYPE,
  ModelProblem,
  PARTNER_GROUP_TYPE,
  PROJECT_COMPONENT_TYPE,
  STAGEFLOW_APP_ID_LABEL,
  STAGEFLOW_APP_TYPE_LABEL,
  STAGEFLOW_CONSUMERS_ANNOTATION,
  STAGEFLOW_CONTRIBUTOR_ANNOTATION,
  STAGEFLOW_INSTANCE_LABEL,
  STAGEFLOW_PARTNER_OF_ANNOTATION,
  STAGEFLOW_STAGE_LABEL,
  STAGE_NAMES,
  StageName,
} from './constants';
import { formatStageInstanceName, stageInstanceNameProblems } from './naming';

const API_VERSION = 'backstage.io/v1alpha1';

/**
 * Fields every builder accepts.
 *
 * @public
 */
export interface ModelEntityCommon {
  namespace?: string;
  title?: string;
  description?: string;
  /** The system that writes the entity (`stageflow.io/contributor`). */
  contributor?: string;
  /** The systems that read the entity (`stageflow.io/consumers`). */
  consumers?: string[];
}

function metadata(
  name: string,
  common: ModelEntityCommon,
  extra?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
): Entity['metadata'] {
  const annotations: Record<string, string> = { ...extra?.annotations };
  if (common.contributor) {
    annotations[STAGEFLOW_CONTRIBUTOR_ANNOTATION] = common.contributor;
  }
  if (common.consumers && common.consumers.length > 0) {
    annotations[STAGEFLOW_CONSUMERS_ANNOTATION] = common.consumers.join(',');
  }
  return {
    name,
    ...(common.namespace ? { namespace: common.namespace } : {}),
    ...(common.title ? { title: common.title } : {}),
    ...(common.description ? { description: common.description } : {}),
    ...(extra?.labels ? { labels: extra.labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

// Refs are written in full (`component:default/3000`) so that the entity
// reads the same whatever namespace a consumer assumes.
function fullRef(ref: string, defaultKind: string, namespace?: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, {
      defaultKind,
      defaultNamespace: namespace ?? DEFAULT_NAMESPACE,
    }),
  );
}

/**
 * A stage instance: one app deployed in one stage, named like its
 * Kubernetes namespace.
 *
 * @public
 */
export interface StageInstanceSpec extends ModelEntityCommon {
  appType: AppType;
  appId: string;
  instance?: string;
  stage: StageName;
  /** What the app is, `spec.type` (`website`, `service`); default `service`. */
  type?: string;
  owner: string;
  /** The project Component the instance depends on (`3000` or a full ref). */
  project: string;
  /** The cluster Resource the instance runs on. */
  cluster?: string;
  system?: string;
  lifecycle?: string;
}

/**
 * Builds a stage-instance Component; throws when the name parts break the
 * naming convention.
 *
 * @public
 */
export function buildStageInstanceComponent(spec: StageInstanceSpec): Entity {
  const name = formatStageInstanceName(spec);
  const labels: Record<string, string> = {
    [STAGEFLOW_APP_TYPE_LABEL]: spec.appType,
    [STAGEFLOW_APP_ID_LABEL]: spec.appId,
    [STAGEFLOW_STAGE_LABEL]: spec.stage,
  };
  if (spec.instance) {
    labels[STAGEFLOW_INSTANCE_LABEL] = spec.instance;
  }
  const dependsOn = [fullRef(spec.project, 'component', spec.namespace)];
  if (spec.cluster) {
    dependsOn.push(fullRef(spec.cluster, 'resource', spec.namespace));
  }
  return {
    apiVersion: API_VERSION,
    kind: 'Component',
    metadata: metadata(name, spec, { labels }),
    spec: {
      type: spec.type ?? 'service',
      lifecycle:
        spec.lifecycle ??
        (spec.stage === 'prd' ? 'production' : 'experimental'),
      owner: spec.owner,
      ...(spec.system ? { system: spec.system } : {}),
      dependsOn,
    },
  };
}

/**
 * A project: a Component of type `project`, part of a System, owned by the
 * client Group.
 *
 * @public
 */
export interface ProjectSpec extends ModelEntityCommon {
  name: string;
  /** The client Group that owns the project. */
  owner: string;
  system: string;
  lifecycle?: string;
}

/** @public */
export function buildProjectComponent(spec: ProjectSpec): Entity {
  return {
    apiVersion: API_VERSION,
    kind: 'Component',
    metadata: metadata(spec.name, spec),
    spec: {
      type: PROJECT_COMPONENT_TYPE,
      lifecycle: spec.lifecycle ?? 'production',
      owner: spec.owner,
      system: spec.system,
    },
  };
}

/**
 * A System, part of a Domain.
 *
 * @public
 */
export interface SystemSpec extends ModelEntityCommon {
  name: string;
  owner: string;
  domain: string;
}

/** @public */
export function buildSystem(spec: SystemSpec): Entity {
  return {
    apiVersion: API_VERSION,
    kind: 'System',
    metadata: metadata(spec.name, spec),
    spec: { owner: spec.owner, domain: spec.domain },
  };
}

/**
 * A Domain.
 *
 * @public
 */
export interface DomainSpec extends ModelEntityCommon {
  name: string;
  owner: string;
}

/** @public */
export function buildDomain(spec: DomainSpec): Entity {
  return {
    apiVersion: API_VERSION,
    kind: 'Domain',
    metadata: metadata(spec.name, spec),
    spec: { owner: spec.owner },
  };
}

/**
 * A client Group: owns projects; its members are Users.
 *
 * @public
 */
export interface ClientGroupSpec extends ModelEntityCommon {
  name: string;
  /** User names or refs. */
  members?: string[];
  displayName?: string;
}

/** @public */
export function buildClientGroup(spec: ClientGroupSpec): Entity {
  return {
    apiVersion: API_VERSION,
    kind: 'Group',
    metadata: metadata(spec.name, spec),
    spec: {
      type: CLIENT_GROUP_TYPE,
      ...(spec.displayName
        ? { profile: { displayName: spec.displayName } }
        : {}),
      children: [],
      members: spec.members ?? [],
    },
  };
}

/**
 * A partner Group: partner of one or more projects.
 *
 * @public
 */
export interface PartnerGroupSpec extends ClientGroupSpec {
  /** The project Components the group is a partner of. */
  partnerOf: string[];
}

/** @public */
export function buildPartnerGroup(spec: PartnerGroupSpec): Entity {
  return {
    apiVersion: API_VERSION,
    kind: 'Group',
    metadata: metadata(spec.name, spec, {
      annotations: {
        [STAGEFLOW_PARTNER_OF_ANNOTATION]: spec.partnerOf
          .map(ref => fullRef(ref, 'component', spec.namespace))
          .join(','),
      },
    }),
    spec: {
      type: PARTNER_GROUP_TYPE,
      ...(spec.displayName
        ? { profile: { displayName: spec.displayName } }
        : {}),
      children: [],
      members: spec.members ?? [],
    },
  };
}

/**
 * A User of a client or partner Group.
 *
 * @public
 */
export interface UserSpec extends ModelEntityCommon {
  name: string;
  memberOf?: string[];
  email?: string;
  displayName?: string;
}

/** @public */
export function buildUser(spec: UserSpec): Entity {
  const profile = {
    ...(spec.email ? { email: spec.email } : {}),
    ...(spec.displayName ? { displayName: spec.displayName } : {}),
  };
  return {
    apiVersion: API_VERSION,
    kind: 'User',
    metadata: metadata(spec.name, spec),
    spec: {
      ...(Object.keys(profile).length > 0 ? { profile } : {}),
      memberOf: spec.memberOf ?? [],
    },
  };
}

/**
 * A Kubernetes cluster Resource.
 *
 * @public
 */
export interface ClusterSpec extends ModelEntityCommon {
  name: string;
  owner: string;
  system?: string;
}

/** @public */
export function buildClusterResource(spec: ClusterSpec): Entity {
  return {
    apiVersion: API_VERSION,
    kind: 'Resource',
    metadata: metadata(spec.name, spec),
    spec: {
      type: CLUSTER_RESOURCE_TYPE,
      owner: spec.owner,
      ...(spec.system ? { system: spec.system } : {}),
    },
  };
}

/**
 * The app shorthand: one app and its stages, the way a scaffolder form asks
 * for it.
 *
 * @public
 */
export interface AppShorthand {
  appId: string;
  appType: AppType;
  instance?: string;
  stages: StageName[];
  /** The team that runs the app (owner of the stage instances). */
  owner: string;
  /** The project the stage instances depend on. */
  project: string;
  /**
   * When given, the project Component is declared too, as part of this
   * System; leave it out when another contributor (the license portal)
   * declares the project.
   */
  system?: string;
  /** When given with `system`, the System is declared too, in this Domain. */
  domain?: string;
  /** Owner of the project (the client Group); default `owner`. */
  projectOwner?: string;
  /** The cluster Resource of every stage, or one per stage. */
  cluster?: string | Partial<Record<StageName, string>>;
  consumers?: string[];
  /** `spec.type` of the stage instances; default `service`. */
  componentType?: string;
  namespace?: string;
  contributor?: string;
}

const ENTITY_NAME = /^([A-Za-z0-9]+[-_.])*[A-Za-z0-9]+$/;

function refProblems(field: string, value: unknown): ModelProblem[] {
  if (typeof value !== 'string' || value.length === 0) {
    return [{ field, message: 'is required: an entity name or ref' }];
  }
  try {
    const ref = parseEntityRef(value, { defaultKind: 'x' });
    if (!ENTITY_NAME.test(ref.name) || ref.name.length > 63) {
      return [
        {
          field,
          message: `must name an entity: [a-zA-Z0-9] sequences separated by -_. , at most 63 characters, got "${value}"`,
        },
      ];
    }
  } catch (error) {
    return [
      { field, message: `is not an entity ref: ${(error as Error).message}` },
    ];
  }
  return [];
}

/**
 * Field-level problems of an app shorthand, so a form can point at the
 * field to fix.
 *
 * @public
 */
export function appShorthandProblems(app: AppShorthand): ModelProblem[] {
  const problems: ModelProblem[] = [];
  if (!Array.isArray(app.stages) || app.stages.length === 0) {
    problems.push({
      field: 'stages',
      message: `must list at least one of ${STAGE_NAMES.join(', ')}`,
    });
  } else {
    app.stages.forEach((stage, i) => {
      if (!(STAGE_NAMES as readonly string[]).includes(stage)) {
        problems.push({
          field: `stages[${i}]`,
          message: `must be one of ${STAGE_NAMES.join(', ')}, got "${stage}"`,
        });
      }
    });
    if (new Set(app.stages).size !== app.stages.length) {
      problems.push({ field: 'stages', message: 'must not repeat a stage' });
    }
  }
  const nameProblems = stageInstanceNameProblems({
    appType: app.appType,
    appId: app.appId,
    instance: app.instance,
    stage: 'prd',
  });
  for (const problem of nameProblems) {
    problems.push({
      field: problem.field === 'name' ? 'appId' : problem.field,
      message:
        problem.field === 'name'
          ? `makes an invalid namespace name: ${problem.message}`
          : problem.message,
    });
  }
  problems.push(...refProblems('owner', app.owner));
  problems.push(...refProblems('project', app.project));
  if (app.system !== undefined) {
    problems.push(...refProblems('system', app.system));
  }
  if (app.domain !== undefined) {
    if (app.system === undefined) {
      problems.push({
        field: 'domain',
        message: 'is only used with system: the System is declared in it',
      });
    }
    problems.push(...refProblems('domain', app.domain));
  }
  if (app.projectOwner !== undefined) {
    problems.push(...refProblems('projectOwner', app.projectOwner));
  }
  if (typeof app.cluster === 'string') {
    problems.push(...refProblems('cluster', app.cluster));
  } else if (app.cluster !== undefined) {
    for (const [stage, cluster] of Object.entries(app.cluster)) {
      if (!(STAGE_NAMES as readonly string[]).includes(stage)) {
        problems.push({
          field: `cluster.${stage}`,
          message: `keys must be stages: ${STAGE_NAMES.join(', ')}`,
        });
      }
      problems.push(...refProblems(`cluster.${stage}`, cluster));
    }
  }
  return problems;
}

/**
 * Builds the entities of one app from the shorthand: a stage-instance
 * Component per stage, and the project (and System) when asked. Throws a
 * `TypeError` listing the field problems when the shorthand is invalid;
 * call {@link appShorthandProblems} first to report them field by field.
 *
 * @public
 */
export function buildAppEntities(app: AppShorthand): Entity[] {
  const problems = appShorthandProblems(app);
  if (problems.length > 0) {
    throw new TypeError(
      `Invalid app: ${problems.map(p => `${p.field} ${p.message}`).join('; ')}`,
    );
  }
  const common: ModelEntityCommon = {
    namespace: app.namespace,
    contributor: app.contributor,
    consumers: app.consumers,
  };
  const entities: Entity[] = [];
  if (app.system && app.domain) {
    entities.push(
      buildSystem({
        ...common,
        name: parseEntityRef(app.system, { defaultKind: 'system' }).name,
        owner: app.projectOwner ?? app.owner,
        domain: app.domain,
      }),
    );
  }
  if (app.system) {
    entities.push(
      buildProjectComponent({
        ...common,
        name: parseEntityRef(app.project, { defaultKind: 'component' }).name,
        owner: app.projectOwner ?? app.owner,
        system: app.system,
      }),
    );
  }
  for (const stage of app.stages) {
    const cluster =
      typeof app.cluster === 'string' ? app.cluster : app.cluster?.[stage];
    entities.push(
      buildStageInstanceComponent({
        ...common,
        appType: app.appType,
        appId: app.appId,
        instance: app.instance,
        stage,
        type: app.componentType,
        owner: app.owner,
        project: app.project,
        cluster,
      }),
    );
  }
  return entities;
}
