/**
 * Annotation naming the system that wrote an entity (license portal,
 * Rancher, DevOps). The contributions API stamps it on every entity it
 * stores, so the catalog can tell who to ask about an entity.
 *
 * @public
 */
export const STAGEFLOW_CONTRIBUTOR_ANNOTATION = 'stageflow.io/contributor';

/**
 * Annotation listing, comma separated, the systems that read an entity for
 * their own configuration (`argocd,rancher,sso`).
 *
 * @public
 */
export const STAGEFLOW_CONSUMERS_ANNOTATION = 'stageflow.io/consumers';

/**
 * Annotation on a partner Group listing, comma separated, the project
 * Components it is a partner of. The catalog module turns it into the
 * `partnerOf` / `hasPartner` relations.
 *
 * @public
 */
export const STAGEFLOW_PARTNER_OF_ANNOTATION = 'stageflow.io/partner-of';

/**
 * Label marking a Component as a stage instance and naming its stage
 * (`dev`, `int`, `prd`). A label rather than a `spec.type`, because the seed
 * model keeps `spec.type` for what the app is (`website`, `service`), and
 * labels can be filtered on by consumers such as Argo CD.
 *
 * @public
 */
export const STAGEFLOW_STAGE_LABEL = 'stageflow.io/stage';

/**
 * Label of a stage instance naming its app type (`cs`, `ap`, `ps`).
 *
 * @public
 */
export const STAGEFLOW_APP_TYPE_LABEL = 'stageflow.io/app-type';

/**
 * Label of a stage instance naming its app id.
 *
 * @public
 */
export const STAGEFLOW_APP_ID_LABEL = 'stageflow.io/app-id';

/**
 * Label of a stage instance naming its instance, absent for single-instance
 * apps.
 *
 * @public
 */
export const STAGEFLOW_INSTANCE_LABEL = 'stageflow.io/instance';

/**
 * Relation from a partner Group to a project Component.
 *
 * @public
 */
export const RELATION_PARTNER_OF = 'partnerOf';

/**
 * Relation from a project Component to a partner Group; reverse of
 * {@link RELATION_PARTNER_OF}.
 *
 * @public
 */
export const RELATION_HAS_PARTNER = 'hasPartner';

/**
 * `spec.type` of a project Component.
 *
 * @public
 */
export const PROJECT_COMPONENT_TYPE = 'project';

/**
 * `spec.type` of a Kubernetes cluster Resource.
 *
 * @public
 */
export const CLUSTER_RESOURCE_TYPE = 'kubernetes-cluster';

/**
 * `spec.type` of a client Group (owns projects).
 *
 * @public
 */
export const CLIENT_GROUP_TYPE = 'client';

/**
 * `spec.type` of a partner Group (partner of projects).
 *
 * @public
 */
export const PARTNER_GROUP_TYPE = 'partner';

/**
 * The app types of the naming convention: `cs`, `ap`, `ps`.
 *
 * @public
 */
export const APP_TYPES = ['cs', 'ap', 'ps'] as const;

/**
 * An app type of the naming convention.
 *
 * @public
 */
export type AppType = (typeof APP_TYPES)[number];

/**
 * The stages of the naming convention: `dev` (developers), `int` (CI/CD
 * pipelines), `prd` (production).
 *
 * @public
 */
export const STAGE_NAMES = ['dev', 'int', 'prd'] as const;

/**
 * A stage of the naming convention.
 *
 * @public
 */
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * The kinds a contributor may send.
 *
 * @public
 */
export const MODEL_KINDS = [
  'Component',
  'Resource',
  'Group',
  'User',
  'System',
  'Domain',
] as const;

/**
 * A field-level problem of an entity or an input: the dotted path of the
 * field and what is allowed there.
 *
 * @public
 */
export interface ModelProblem {
  field: string;
  message: string;
}

/**
 * Topic of the event the Stageflow backend publishes, through the events
 * service, after a contributor's set changed (payload: `contributor`,
 * `entityRefs`); the catalog module ingests on it at once.
 *
 * @public
 */
export const STAGEFLOW_CONTRIBUTIONS_TOPIC = 'stageflow.contributions';
