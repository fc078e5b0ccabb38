import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CLUSTER_RESOURCE_TYPE,
  PROJECT_COMPONENT_TYPE,
  STAGEFLOW_STAGE_LABEL,
  getPartnerOfRefs,
  parseStageInstanceName,
} from '@stageflow/plugin-stageflow-common';

/** The namespace Argo CD runs in and reads its AppProjects from. */
export const ARGOCD_NAMESPACE = 'argocd';

/** The server of the cluster Argo CD runs in. */
export const DEFAULT_DESTINATION_SERVER = 'https://kubernetes.default.svc';

/**
 * Annotation of a cluster Resource naming its API server; the one Backstage's
 * Kubernetes plugin reads, so one annotation serves both.
 */
export const CLUSTER_SERVER_ANNOTATION = 'kubernetes.io/api-server';

/** Annotation of an app or stage instance: the Helm chart's folder in git. */
export const CHART_PATH_ANNOTATION = 'stageflow.io/chart-path';

/** Annotation of an app or stage instance: the git revision Argo CD syncs. */
export const TARGET_REVISION_ANNOTATION = 'stageflow.io/target-revision';

const GIT_URL_ANNOTATION = 'stageflow.io/git-url';
const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';
const DEFAULT_CHART_PATH = 'chart';
const DEFAULT_TARGET_REVISION = 'HEAD';
const ARGOCD_API_VERSION = 'argoproj.io/v1alpha1';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'stageflow' };
// Argo CD's rule for role names.
const ROLE_NAME_UNSAFE = /[^-_a-zA-Z0-9]+/g;

/** An Argo CD AppProject, the fields Stageflow writes. */
export interface AppProjectManifest {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'AppProject';
  metadata: ManifestMetadata;
  spec: {
    description?: string;
    sourceRepos: string[];
    destinations: Array<{ server: string; namespace: string }>;
    clusterResourceWhitelist: Array<{ group: string; kind: string }>;
    roles: Array<{
      name: string;
      description: string;
      policies: string[];
      groups: string[];
    }>;
  };
}

/** One element of the ApplicationSet's list generator: a stage instance. */
export interface StageInstanceElement {
  name: string;
  namespace: string;
  server: string;
  stage: string;
  appType: string;
  appId: string;
  instance?: string;
  repoURL: string;
  path: string;
  targetRevision: string;
  /** What the stage runs, as Stageflow shows it: its release version. */
  version?: string;
  /** The image digest the stage runs. */
  digest?: string;
}

/**
 * What a stage runs, for its element: the git revision (the release tag,
 * else the commit) and the version and digest, from Stageflow's stages.
 */
export interface StageRunning {
  targetRevision: string;
  version?: string;
  digest?: string;
}

/** An Argo CD ApplicationSet, the fields Stageflow writes. */
export interface ApplicationSetManifest {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'ApplicationSet';
  metadata: ManifestMetadata;
  spec: {
    generators: Array<{ list: { elements: StageInstanceElement[] } }>;
    template: {
      metadata: { name: string; labels: Record<string, string> };
      spec: {
        project: string;
        source: {
          repoURL: string;
          path: string;
          targetRevision: string;
          helm: { valueFiles: string[]; ignoreMissingValueFiles: boolean };
        };
        destination: { server: string; namespace: string };
        syncPolicy: { syncOptions: string[] };
      };
    };
  };
}

interface ManifestMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The Argo CD manifests of one project Component. */
export interface ProjectExport {
  /** The project's entity ref, `component:default/3000`. */
  projectRef: string;
  appProject: AppProjectManifest;
  applicationSet: ApplicationSetManifest;
  /** What was left out and why, one line each (a stage instance without a repository). */
  warnings: string[];
}

/** Options of {@link renderArgoCdExports}. */
export interface ArgoCdExportOptions {
  /** The namespace of the manifests; default `argocd`. */
  namespace?: string;
  /** The server of a cluster without {@link CLUSTER_SERVER_ANNOTATION}. */
  defaultServer?: string;
}

function refOf(entity: Entity): string {
  return stringifyEntityRef(entity);
}

function namespaceOf(entity: Entity): string {
  return entity.metadata.namespace ?? DEFAULT_NAMESPACE;
}

function tryRef(
  value: unknown,
  defaultKind: string,
  defaultNamespace: string,
): { kind: string; namespace: string; name: string } | undefined {
  if (typeof value !== 'string' || value.length === 0) {
    return undefined;
  }
  try {
    const ref = parseEntityRef(value, { defaultKind, defaultNamespace });
    return { ...ref, kind: ref.kind.toLocaleLowerCase('en-US') };
  } catch {
    return undefined;
  }
}

function isKind(entity: Entity, kind: string): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === kind;
}

/** Whether an entity is a project Component of the data model. */
export function isProject(entity: Entity): boolean {
  return (
    isKind(entity, 'component') && entity.spec?.type === PROJECT_COMPONENT_TYPE
  );
}

/** Whether an entity is a stage instance (carries `stageflow.io/stage`). */
export function isStageInstance(entity: Entity): boolean {
  return (
    isKind(entity, 'component') &&
    entity.metadata.labels?.[STAGEFLOW_STAGE_LABEL] !== undefined
  );
}

function isCluster(entity: Entity): boolean {
  return (
    isKind(entity, 'resource') && entity.spec?.type === CLUSTER_RESOURCE_TYPE
  );
}

function dependsOnRefs(entity: Entity, kind: string): string[] {
  const refs = Array.isArray(entity.spec?.dependsOn)
    ? (entity.spec!.dependsOn as unknown[])
    : [];
  return refs
    .map(ref => tryRef(ref, kind, namespaceOf(entity)))
    .filter(ref => ref?.kind === kind)
    .map(ref => stringifyEntityRef(ref!));
}

/**
 * The ref of the app Component a stage instance deploys: its
 * `spec.subcomponentOf`, else the Component named by its app id in its
 * namespace (`phippy` for `ap-phippy-prd`).
 */
export function appRefOf(instance: Entity): string | undefined {
  const parent = tryRef(
    instance.spec?.subcomponentOf,
    'component',
    namespaceOf(instance),
  );
  if (parent?.kind === 'component') {
    return stringifyEntityRef(parent);
  }
  const parsed = parseStageInstanceName(instance.metadata.name);
  if (!parsed.ok) {
    return undefined;
  }
  return stringifyEntityRef({
    kind: 'component',
    namespace: namespaceOf(instance),
    name: parsed.value.appId,
  });
}

/** The refs of the app Components the stage instances deploy, for a second catalog read. */
export function appRefsOf(entities: Entity[]): string[] {
  const refs = new Set<string>();
  for (const entity of entities) {
    if (isStageInstance(entity)) {
      const ref = appRefOf(entity);
      if (ref) {
        refs.add(ref);
      }
    }
  }
  return [...refs].sort();
}

/** The git URL an entity names: `stageflow.io/git-url`, else the GitHub repo of `github.com/project-slug`. */
export function gitUrlOf(entity: Entity | undefined): string | undefined {
  const annotations = entity?.metadata.annotations ?? {};
  const url = annotations[GIT_URL_ANNOTATION]?.trim();
  if (url) {
    return url;
  }
  const slug = annotations[PROJECT_SLUG_ANNOTATION]?.trim();
  if (slug && /^[^/\s]+\/[^/\s]+$/.test(slug)) {
    return `https://github.com/${slug}.git`;
  }
  return undefined;
}

/** The AppProject name of a project: its name, prefixed by its namespace when not `default`. */
export function argoCdProjectName(project: Entity): string {
  const namespace = namespaceOf(project);
  return namespace === DEFAULT_NAMESPACE
    ? project.metadata.name
    : `${namespace}-${project.metadata.name}`;
}

// The group as the SSO server names it: the Group entity's name, qualified
// by its namespace outside `default`.
function ssoGroupName(ref: { namespace: string; name: string }): string {
  return ref.namespace === DEFAULT_NAMESPACE
    ? ref.name
    : `${ref.namespace}/${ref.name}`;
}

function roleName(ref: { namespace: string; name: string }): string {
  const base =
    ref.namespace === DEFAULT_NAMESPACE
      ? ref.name
      : `${ref.namespace}-${ref.name}`;
  return base.replace(ROLE_NAME_UNSAFE, '-').replace(/^[-_]+|[-_]+$/g, '');
}

function role(
  project: string,
  group: { namespace: string; name: string },
  description: string,
): AppProjectManifest['spec']['roles'][number] {
  const name = roleName(group);
  return {
    name,
    description,
    policies: ['get', 'sync'].map(
      action =>
        `p, proj:${project}:${name}, applications, ${action}, ${project}/*, allow`,
    ),
    groups: [ssoGroupName(group)],
  };
}

function annotation(
  key: string,
  ...entities: Array<Entity | undefined>
): string | undefined {
  for (const entity of entities) {
    const value = entity?.metadata.annotations?.[key]?.trim();
    if (value) {
      return value;
    }
  }
  return undefined;
}

function byString<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => key(a).localeCompare(key(b), 'en-US');
}

/**
 * Renders, from catalog entities, the Argo CD AppProject and ApplicationSet
 * of every project Component (or of the ones `projectRefs` names): one
 * destination and one list element per stage instance depending on the
 * project, named like its namespace, on the server of its cluster Resource;
 * one role per group (the owner, the partners) allowed to get and sync the
 * project's applications. Pure: the caller reads the catalog.
 */
export function renderArgoCdExports(
  entities: Entity[],
  options: ArgoCdExportOptions & {
    projectRefs?: string[];
    /** What each stage of an app runs, by app ref and stage name. */
    running?: (appRef: string, stage: string) => StageRunning | undefined;
  } = {},
): ProjectExport[] {
  const manifestNamespace = options.namespace ?? ARGOCD_NAMESPACE;
  const defaultServer = options.defaultServer ?? DEFAULT_DESTINATION_SERVER;
  const byRef = new Map(entities.map(entity => [refOf(entity), entity]));
  const wanted = options.projectRefs
    ? new Set(
        options.projectRefs.map(ref =>
          stringifyEntityRef(
            parseEntityRef(ref, {
              defaultKind: 'component',
              defaultNamespace: DEFAULT_NAMESPACE,
            }),
          ),
        ),
      )
    : undefined;
  const projects = entities
    .filter(isProject)
    .filter(project => !wanted || wanted.has(refOf(project)))
    .sort(byString(refOf));
  const instances = entities.filter(isStageInstance).sort(byString(refOf));
  const partners = entities
    .filter(entity => isKind(entity, 'group'))
    .sort(byString(refOf));

  return projects.map(project => {
    const projectRef = refOf(project);
    const name = argoCdProjectName(project);
    const warnings: string[] = [];
    const elements: StageInstanceElement[] = [];

    for (const instance of instances) {
      if (!dependsOnRefs(instance, 'component').includes(projectRef)) {
        continue;
      }
      const instanceRef = refOf(instance);
      const parsed = parseStageInstanceName(instance.metadata.name);
      if (!parsed.ok) {
        warnings.push(
          `${instanceRef} left out: its name is not a namespace of the convention (${parsed.reasons.join(
            '; ',
          )})`,
        );
        continue;
      }
      const app = byRef.get(appRefOf(instance) ?? '');
      const repoURL = gitUrlOf(instance) ?? gitUrlOf(app);
      if (!repoURL) {
        warnings.push(
          `${instanceRef} left out: neither it nor its app ${
            appRefOf(instance) ?? ''
          } names a git repository (stageflow.io/git-url or github.com/project-slug)`,
        );
        continue;
      }
      const running = options.running?.(
        appRefOf(instance) ?? '',
        parsed.value.stage,
      );
      const cluster = dependsOnRefs(instance, 'resource')
        .map(ref => byRef.get(ref))
        .find(entity => entity && isCluster(entity));
      elements.push({
        name: instance.metadata.name,
        namespace: instance.metadata.name,
        server: annotation(CLUSTER_SERVER_ANNOTATION, cluster) ?? defaultServer,
        stage: parsed.value.stage,
        appType: parsed.value.appType,
        appId: parsed.value.appId,
        ...(parsed.value.instance ? { instance: parsed.value.instance } : {}),
        repoURL,
        path:
          annotation(CHART_PATH_ANNOTATION, instance, app) ??
          DEFAULT_CHART_PATH,
        targetRevision:
          running?.targetRevision ??
          annotation(TARGET_REVISION_ANNOTATION, instance, app) ??
          DEFAULT_TARGET_REVISION,
        ...(running?.version ? { version: running.version } : {}),
        ...(running?.digest ? { digest: running.digest } : {}),
      });
    }

    const roles: AppProjectManifest['spec']['roles'] = [];
    const owner = tryRef(project.spec?.owner, 'group', namespaceOf(project));
    if (owner?.kind === 'group') {
      roles.push(
        role(name, owner, `Owner of project ${project.metadata.name}`),
      );
    } else {
      warnings.push(
        `${projectRef} has no owning Group (spec.owner ${String(
          project.spec?.owner,
        )}): no owner role`,
      );
    }
    for (const partner of partners) {
      if (getPartnerOfRefs(partner).includes(projectRef)) {
        const ref = {
          namespace: namespaceOf(partner),
          name: partner.metadata.name,
        };
        if (!roles.some(r => r.name === roleName(ref))) {
          roles.push(
            role(name, ref, `Partner of project ${project.metadata.name}`),
          );
        }
      }
    }

    const metadata = (): ManifestMetadata => ({
      name,
      namespace: manifestNamespace,
      labels: { ...MANAGED_BY },
      annotations: { 'stageflow.io/source-entity': projectRef },
    });
    const destinations = [
      ...new Map(
        elements.map(e => [`${e.server} ${e.namespace}`, e] as const),
      ).values(),
    ]
      .map(e => ({ server: e.server, namespace: e.namespace }))
      .sort(byString(d => `${d.server} ${d.namespace}`));

    return {
      projectRef,
      warnings,
      appProject: {
        apiVersion: ARGOCD_API_VERSION,
        kind: 'AppProject',
        metadata: metadata(),
        spec: {
          ...(project.metadata.title || project.metadata.description
            ? {
                description:
                  project.metadata.description ?? project.metadata.title,
              }
            : {}),
          sourceRepos: [...new Set(elements.map(e => e.repoURL))].sort(),
          destinations,
          // CreateNamespace needs the Namespace kind; nothing else
          // cluster-scoped is allowed.
          clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
          roles,
        },
      },
      applicationSet: {
        apiVersion: ARGOCD_API_VERSION,
        kind: 'ApplicationSet',
        metadata: metadata(),
        spec: {
          generators: [{ list: { elements } }],
          template: {
            metadata: {
              name: '{{name}}',
              labels: {
                ...MANAGED_BY,
                'stageflow.io/project': name,
                [STAGEFLOW_STAGE_LABEL]: '{{stage}}',
                'stageflow.io/app-id': '{{appId}}',
              },
            },
            spec: {
              project: name,
              source: {
                repoURL: '{{repoURL}}',
                path: '{{path}}',
                targetRevision: '{{targetRevision}}',
                helm: {
                  valueFiles: ['values-{{stage}}.yaml'],
                  ignoreMissingValueFiles: true,
                },
              },
              destination: { server: '{{server}}', namespace: '{{namespace}}' },
              syncPolicy: { syncOptions: ['CreateNamespace=true'] },
            },
          },
        },
      },
    };
  });
}

/** The manifests of the exports in order: each project's AppProject, then its ApplicationSet. */
export function argoCdManifests(
  exports: ProjectExport[],
): Array<AppProjectManifest | ApplicationSetManifest> {
  return exports.flatMap(e => [e.appProject, e.applicationSet]);
}
