import {
  ANNOTATION_LOCATION,
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CLUSTER_RESOURCE_TYPE,
  KUBERNETES_API_SERVER_ANNOTATION,
  PROJECT_COMPONENT_TYPE,
  STAGEFLOW_STAGE_LABEL,
  contributorLocationKey,
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
export const CLUSTER_SERVER_ANNOTATION = KUBERNETES_API_SERVER_ANNOTATION;

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
// What Kubernetes accepts as the name of an AppProject or ApplicationSet.
const K8S_NAME =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A chart folder inside the repository, and a git revision: nothing that
// climbs out of the repository or needs quoting anywhere.
const CHART_PATH =
  /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const REVISION = /^(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9][A-Za-z0-9._\/-]{0,199}$/;
// Line breaks in YAML 1.1 (NEL, LS, PS) and every other control or format
// character: no text reaches a document or a comment with one.
const UNSAFE_TEXT = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;

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
}

/** Why something was left out of the export; the text is Stageflow's own. */
export const LEFT_OUT_REASONS = {
  'project-name':
    'the project name is not a Kubernetes object name (lowercase letters, digits, "-" and ".")',
  'instance-name':
    'its name is not a namespace of the naming convention (cs|ap|ps)-<appId>[-<instance>]-(dev|int|prd)',
  'no-repository':
    'neither it nor its app names a git repository (stageflow.io/git-url or github.com/project-slug)',
  'repository-host':
    'its git repository is not an https or ssh URL on a git host configured for Stageflow',
  'no-cluster':
    'it depends on no cluster Resource that may be an Argo CD destination (from the catalog, or from a contributor with the cluster annotations)',
  'cluster-server':
    'its cluster names an API server (kubernetes.io/api-server) that is not a plain https URL',
  'chart-path':
    'its chart path (stageflow.io/chart-path) is not a relative folder inside the repository',
  'target-revision':
    'its target revision (stageflow.io/target-revision) is not a git revision name',
  'owner-group':
    'the project owner is not a Group of the catalog identity source: no owner role',
  'partner-group':
    'the partner Group is not from the catalog identity source: no partner role',
} as const;

/** One of {@link LEFT_OUT_REASONS}. */
export type LeftOutReason = keyof typeof LEFT_OUT_REASONS;

/** Something the export left out: which entity, of which project, and why. */
export interface LeftOut {
  /** The ref of the entity left out (or whose role was). */
  entityRef: string;
  /** The project it concerned. */
  projectRef: string;
  reason: LeftOutReason;
  /** The sentence of {@link LEFT_OUT_REASONS} for the reason. */
  message: string;
}

/** The whole export: the projects' manifests, and what was left out. */
export interface ArgoCdExport {
  projects: ProjectExport[];
  leftOut: LeftOut[];
}

/**
 * Which entities the export trusts. Entities of the catalog's own locations
 * are trusted; a contributed entity only as far as its contributor is.
 */
export interface ArgoCdExportTrust {
  /** Hosts of the git URLs a project may source from (Stageflow's git hosts). */
  gitHosts: string[];
  /** Contributors whose cluster Resources may be destinations. */
  clusterContributors: string[];
  /** Contributors that are identity sources (may write Groups): their Groups get roles. */
  identityContributors: string[];
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

/** Free text as it may appear in a manifest or a comment: one clean line. */
export function safeText(value: string): string {
  return value.replace(UNSAFE_TEXT, ' ').replace(/\s+/g, ' ').trim();
}

// The contributor an entity came from, or undefined for the catalog's own
// locations (which the catalog, not an entity author, sets).
function contributorOf(entity: Entity): string | undefined {
  const location = entity.metadata.annotations?.[ANNOTATION_LOCATION] ?? '';
  const prefix = contributorLocationKey('');
  return location.startsWith(prefix)
    ? location.slice(prefix.length)
    : undefined;
}

function trustedBy(entity: Entity, contributors: string[]): boolean {
  const contributor = contributorOf(entity);
  return contributor === undefined || contributors.includes(contributor);
}

/**
 * The git URL as Argo CD may source it, or undefined: https (no
 * credentials, query or fragment) or ssh, on a configured host.
 */
export function allowedRepoUrl(
  url: string,
  gitHosts: string[],
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const plain =
    (parsed.protocol === 'https:' && !parsed.username) ||
    (parsed.protocol === 'ssh:' &&
      (!parsed.username || parsed.username === 'git'));
  if (
    !plain ||
    parsed.password ||
    parsed.search ||
    parsed.hash ||
    !gitHosts.includes(parsed.host.toLocaleLowerCase('en-US')) ||
    !/^\/[A-Za-z0-9._~\/-]+$/.test(parsed.pathname)
  ) {
    return undefined;
  }
  return parsed.href;
}

// The API server of a cluster: a plain https URL, nothing else.
function clusterServer(
  cluster: Entity,
  defaultServer: string,
): string | undefined {
  const value = annotation(CLUSTER_SERVER_ANNOTATION, cluster);
  if (value === undefined) {
    return defaultServer;
  }
  try {
    const url = new URL(value);
    if (
      url.protocol !== 'https:' ||
      url.username ||
      url.password ||
      url.search ||
      url.hash ||
      (url.pathname !== '/' && url.pathname !== '')
    ) {
      return undefined;
    }
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Renders, from catalog entities, the Argo CD AppProject and ApplicationSet
 * of every project Component (or of the ones `projectRefs` names): one
 * destination and one list element per stage instance depending on the
 * project, named like its namespace, on the server of its cluster Resource;
 * one role per group (the owner, the partners) allowed to get and sync the
 * project's applications. Only what `trust` allows is rendered; the rest is
 * listed in `leftOut`. Pure: the caller reads the catalog.
 */
export function renderArgoCdExports(
  entities: Entity[],
  options: ArgoCdExportOptions & {
    projectRefs?: string[];
    trust: ArgoCdExportTrust;
    /** What each stage of an app runs, by app ref and stage name. */
    running?: (appRef: string, stage: string) => StageRunning | undefined;
  },
): ArgoCdExport {
  const { trust } = options;
  const gitHosts = trust.gitHosts.map(h => h.toLocaleLowerCase('en-US'));
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
  const leftOut: LeftOut[] = [];
  const leave = (
    entityRef: string,
    projectRef: string,
    reason: LeftOutReason,
  ) =>
    leftOut.push({
      entityRef,
      projectRef,
      reason,
      message: LEFT_OUT_REASONS[reason],
    });

  const rendered: ProjectExport[] = [];
  for (const project of projects) {
    const projectRef = refOf(project);
    const name = argoCdProjectName(project);
    if (!K8S_NAME.test(name) || name.length > 253) {
      leave(projectRef, projectRef, 'project-name');
      continue;
    }
    const elements: StageInstanceElement[] = [];

    for (const instance of instances) {
      if (!dependsOnRefs(instance, 'component').includes(projectRef)) {
        continue;
      }
      const element = stageElement(instance, projectRef);
      if (element) {
        elements.push(element);
      }
    }

    const roles: AppProjectManifest['spec']['roles'] = [];
    const identityGroup = (ref: string): Entity | undefined => {
      const group = byRef.get(ref);
      return group &&
        isKind(group, 'group') &&
        trustedBy(group, trust.identityContributors)
        ? group
        : undefined;
    };
    const owner = tryRef(project.spec?.owner, 'group', namespaceOf(project));
    const ownerGroup =
      owner?.kind === 'group'
        ? identityGroup(stringifyEntityRef(owner))
        : undefined;
    if (owner && ownerGroup) {
      roles.push(role(name, owner, `Owner of project ${name}`));
    } else {
      // The project, not the owner: spec.owner is the entity author's text.
      leave(projectRef, projectRef, 'owner-group');
    }
    for (const partner of partners) {
      if (!getPartnerOfRefs(partner).includes(projectRef)) {
        continue;
      }
      if (!identityGroup(refOf(partner))) {
        leave(refOf(partner), projectRef, 'partner-group');
        continue;
      }
      const ref = {
        namespace: namespaceOf(partner),
        name: partner.metadata.name,
      };
      if (!roles.some(r => r.name === roleName(ref))) {
        roles.push(role(name, ref, `Partner of project ${name}`));
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
    const description = safeText(
      project.metadata.description ?? project.metadata.title ?? '',
    ).slice(0, 255);

    rendered.push({
      projectRef,
      appProject: {
        apiVersion: ARGOCD_API_VERSION,
        kind: 'AppProject',
        metadata: metadata(),
        spec: {
          ...(description ? { description } : {}),
          sourceRepos: [...new Set(elements.map(e => e.repoURL))].sort(),
          destinations,
          // CreateNamespace needs the Namespace kind; nothing else
          // cluster-scoped is allowed.
          clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
          roles,
        },
      },
      applicationSet: applicationSet(name, metadata(), elements),
    });
  }
  return { projects: rendered, leftOut };

  function stageElement(
    instance: Entity,
    projectRef: string,
  ): StageInstanceElement | undefined {
    const instanceRef = refOf(instance);
    const parsed = parseStageInstanceName(instance.metadata.name);
    if (!parsed.ok) {
      leave(instanceRef, projectRef, 'instance-name');
      return undefined;
    }
    const app = byRef.get(appRefOf(instance) ?? '');
    const gitUrl = gitUrlOf(instance) ?? gitUrlOf(app);
    if (!gitUrl) {
      leave(instanceRef, projectRef, 'no-repository');
      return undefined;
    }
    const repoURL = allowedRepoUrl(gitUrl, gitHosts);
    if (!repoURL) {
      leave(instanceRef, projectRef, 'repository-host');
      return undefined;
    }
    const cluster = dependsOnRefs(instance, 'resource')
      .map(ref => byRef.get(ref))
      .find(
        (entity): entity is Entity =>
          entity !== undefined &&
          isCluster(entity) &&
          trustedBy(entity, trust.clusterContributors),
      );
    if (!cluster) {
      leave(instanceRef, projectRef, 'no-cluster');
      return undefined;
    }
    const server = clusterServer(cluster, defaultServer);
    if (!server) {
      leave(instanceRef, projectRef, 'cluster-server');
      return undefined;
    }
    const path =
      annotation(CHART_PATH_ANNOTATION, instance, app) ?? DEFAULT_CHART_PATH;
    if (!CHART_PATH.test(path)) {
      leave(instanceRef, projectRef, 'chart-path');
      return undefined;
    }
    const running = options.running?.(
      appRefOf(instance) ?? '',
      parsed.value.stage,
    );
    const targetRevision =
      running?.targetRevision ??
      annotation(TARGET_REVISION_ANNOTATION, instance, app) ??
      DEFAULT_TARGET_REVISION;
    if (!REVISION.test(targetRevision)) {
      leave(instanceRef, projectRef, 'target-revision');
      return undefined;
    }
    return {
      name: instance.metadata.name,
      namespace: instance.metadata.name,
      server,
      stage: parsed.value.stage,
      appType: parsed.value.appType,
      appId: parsed.value.appId,
      ...(parsed.value.instance ? { instance: parsed.value.instance } : {}),
      repoURL,
      path,
      targetRevision,
      ...(running?.version ? { version: running.version } : {}),
      ...(running?.digest ? { digest: running.digest } : {}),
    };
  }
}

function applicationSet(
  name: string,
  metadata: ManifestMetadata,
  elements: StageInstanceElement[],
): ApplicationSetManifest {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'ApplicationSet',
    metadata,
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
  };
}

/** The manifests of the exports in order: each project's AppProject, then its ApplicationSet. */
export function argoCdManifests(
  exports: ProjectExport[],
): Array<AppProjectManifest | ApplicationSetManifest> {
  return exports.flatMap(e => [e.appProject, e.applicationSet]);
}
