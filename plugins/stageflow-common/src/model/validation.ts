import {
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  KindValidator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  makeValidator,
  parseEntityRef,
  resourceEntityV1alpha1Validator,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import {
  CLIENT_GROUP_TYPE,
  CLUSTER_RESOURCE_TYPE,
  MODEL_KINDS,
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
} from './constants';
import { parseStageInstanceName } from './naming';

/**
 * A problem of one entity of a set: its position, its ref when it has one,
 * the field and what is allowed there.
 *
 * @public
 */
export interface EntitySetProblem extends ModelProblem {
  index: number;
  entityRef?: string;
}

const CONTRIBUTOR_NAME = /^[a-z0-9-]{1,63}$/;

/**
 * Why a contributor (or consumer) name is refused, or undefined when it is
 * fine: `[a-z0-9-]{1,63}`, the same alphabet as a location key.
 *
 * @public
 */
export function contributorNameProblem(name: string): string | undefined {
  return CONTRIBUTOR_NAME.test(name)
    ? undefined
    : `must be 1 to 63 characters of a-z, 0-9 and "-", got "${name}"`;
}

// Built once: the policies the catalog applies at ingestion, so that an
// entity accepted here is not refused there. The schema goes first because
// the others assume `metadata` exists.
const catalogPolicy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);

const kindValidators: Record<string, KindValidator> = {
  Component: componentEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
  Group: groupEntityV1alpha1Validator,
  User: userEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
  Domain: domainEntityV1alpha1Validator,
};

// catalog-model reports a field either as `"metadata.name" is not valid` or
// as a JSON pointer (`/spec must have required property 'owner'`); both are
// turned into a dotted path so every problem reads the same.
function problemFromError(error: unknown): ModelProblem {
  const raw = (error as Error)?.message ?? String(error);
  const message = raw.replace(
    /\s*To learn more about catalog file format.*$/s,
    '',
  );
  const quoted = /^"([^"]+)"/.exec(message);
  if (quoted) {
    const field = quoted[1];
    return {
      field: /^(labels|annotations)\./.test(field)
        ? `metadata.${field}`
        : field,
      message,
    };
  }
  const pointer = /^(?:Malformed envelope, )?(<root>|\/\S*)/.exec(message);
  if (pointer) {
    const required = /required property '([^']+)'/.exec(message);
    const path = pointer[1].replace('<root>', '').split('/').filter(Boolean);
    if (required) {
      path.push(required[1]);
    }
    return { field: path.join('.') || '(entity)', message };
  }
  return { field: '(entity)', message };
}

/**
 * Problems the Backstage catalog itself would report for the entity: the
 * envelope, field formats and the schema of its kind.
 *
 * @public
 */
export async function catalogEntityProblems(
  entity: unknown,
): Promise<ModelProblem[]> {
  if (typeof entity !== 'object' || entity === null || Array.isArray(entity)) {
    return [{ field: '(entity)', message: 'must be an object' }];
  }
  try {
    await catalogPolicy.enforce(entity as Entity);
  } catch (error) {
    return [problemFromError(error)];
  }
  const validator = kindValidators[(entity as Entity).kind];
  if (!validator) {
    return [];
  }
  try {
    if (!(await validator.check(entity as Entity))) {
      return [
        {
          field: 'apiVersion',
          message: `must be backstage.io/v1alpha1 or backstage.io/v1beta1 for kind ${
            (entity as Entity).kind
          }`,
        },
      ];
    }
  } catch (error) {
    return [problemFromError(error)];
  }
  return [];
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map(item => item.trim())
    .filter(item => item.length > 0);
}

function refKindProblem(
  field: string,
  ref: string,
  kind: string,
): ModelProblem | undefined {
  try {
    const parsed = parseEntityRef(ref, { defaultKind: kind });
    if (parsed.kind.toLocaleLowerCase('en-US') !== kind) {
      return { field, message: `must name a ${kind}, got "${ref}"` };
    }
  } catch (error) {
    return { field, message: (error as Error).message };
  }
  return undefined;
}

function* stageInstanceProblems(entity: Entity): Generator<ModelProblem> {
  const labels = entity.metadata.labels ?? {};
  const parsed = parseStageInstanceName(entity.metadata.name);
  if (!parsed.ok) {
    for (const reason of parsed.reasons) {
      yield {
        field: 'metadata.name',
        message: `stage instance name ${reason}`,
      };
    }
  } else {
    const expected: Record<string, string | undefined> = {
      [STAGEFLOW_APP_TYPE_LABEL]: parsed.value.appType,
      [STAGEFLOW_APP_ID_LABEL]: parsed.value.appId,
      [STAGEFLOW_INSTANCE_LABEL]: parsed.value.instance,
      [STAGEFLOW_STAGE_LABEL]: parsed.value.stage,
    };
    for (const [label, value] of Object.entries(expected)) {
      if (labels[label] !== undefined && labels[label] !== value) {
        yield {
          field: `metadata.labels.${label}`,
          message: `must match the name "${entity.metadata.name}": expected ${
            value === undefined ? 'no label' : `"${value}"`
          }, got "${labels[label]}"`,
        };
      }
    }
  }
  const stage = labels[STAGEFLOW_STAGE_LABEL];
  if (!(STAGE_NAMES as readonly string[]).includes(stage)) {
    yield {
      field: `metadata.labels.${STAGEFLOW_STAGE_LABEL}`,
      message: `must be one of ${STAGE_NAMES.join(', ')}, got "${stage}"`,
    };
  }
  const dependsOn = (entity.spec?.dependsOn as string[] | undefined) ?? [];
  const dependsOnComponent = dependsOn.some(ref => {
    try {
      return (
        parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'component'
      );
    } catch {
      return false;
    }
  });
  if (!dependsOnComponent) {
    yield {
      field: 'spec.dependsOn',
      message:
        'must name the project Component the stage instance depends on, e.g. component:default/3000',
    };
  }
}

/**
 * Problems of the Stageflow data model in one entity, beyond what the
 * catalog checks: allowed kinds, the stage-instance naming convention,
 * projects in a System, Systems in a Domain, partner and contributor
 * annotations.
 *
 * @public
 */
export function modelRuleProblems(entity: Entity): ModelProblem[] {
  const problems: ModelProblem[] = [];
  if (!(MODEL_KINDS as readonly string[]).includes(entity.kind)) {
    problems.push({
      field: 'kind',
      message: `must be one of ${MODEL_KINDS.join(', ')}, got "${entity.kind}"`,
    });
    return problems;
  }
  const annotations = entity.metadata.annotations ?? {};
  const contributor = annotations[STAGEFLOW_CONTRIBUTOR_ANNOTATION];
  if (contributor !== undefined) {
    const problem = contributorNameProblem(contributor);
    if (problem) {
      problems.push({
        field: `metadata.annotations.${STAGEFLOW_CONTRIBUTOR_ANNOTATION}`,
        message: problem,
      });
    }
  }
  const consumers = annotations[STAGEFLOW_CONSUMERS_ANNOTATION];
  if (consumers !== undefined) {
    const items = commaList(consumers);
    if (items.length === 0) {
      problems.push({
        field: `metadata.annotations.${STAGEFLOW_CONSUMERS_ANNOTATION}`,
        message: 'must list at least one consumer, comma separated',
      });
    }
    for (const item of items) {
      const problem = contributorNameProblem(item);
      if (problem) {
        problems.push({
          field: `metadata.annotations.${STAGEFLOW_CONSUMERS_ANNOTATION}`,
          message: `each consumer ${problem}`,
        });
      }
    }
  }

  if (entity.kind === 'Component') {
    if (entity.metadata.labels?.[STAGEFLOW_STAGE_LABEL] !== undefined) {
      problems.push(...stageInstanceProblems(entity));
    }
    if (entity.spec?.type === PROJECT_COMPONENT_TYPE && !entity.spec?.system) {
      problems.push({
        field: 'spec.system',
        message: 'is required for a project: the System the project is part of',
      });
    }
  }
  if (entity.kind === 'System' && !entity.spec?.domain) {
    problems.push({
      field: 'spec.domain',
      message: 'is required: the Domain the System is part of',
    });
  }
  if (entity.kind === 'Group') {
    const partnerOf = annotations[STAGEFLOW_PARTNER_OF_ANNOTATION];
    const field = `metadata.annotations.${STAGEFLOW_PARTNER_OF_ANNOTATION}`;
    if (partnerOf === undefined) {
      if (entity.spec?.type === PARTNER_GROUP_TYPE) {
        problems.push({
          field,
          message:
            'is required for a partner Group: the project Components it is a partner of, comma separated',
        });
      }
    } else {
      const refs = commaList(partnerOf);
      if (refs.length === 0) {
        problems.push({ field, message: 'must list at least one project' });
      }
      for (const ref of refs) {
        const problem = refKindProblem(field, ref, 'component');
        if (problem) {
          problems.push(problem);
        }
      }
    }
  }
  problems.push(
    ...controlCharacterProblems(entity),
    ...refFormatProblems(entity),
  );
  return problems;
}

// Line breaks YAML 1.1 knows (CR, NEL, LS, PS) and every other control
// character but tab and newline: text with them is how a contributed value
// becomes a document of its own in some consumer's YAML.
const CONTROL_CHARACTERS = /[^\P{Cc}\t\n]|[\u2028\u2029]/u;

function controlCharacterProblems(entity: Entity): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      if (CONTROL_CHARACTERS.test(value)) {
        problems.push({
          field: path.join('.') || '(entity)',
          message:
            'must not contain control characters other than tab and newline',
        });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, String(i)]));
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (CONTROL_CHARACTERS.test(key)) {
          problems.push({
            field: [...path, JSON.stringify(key)].join('.'),
            message: 'a key must not contain control characters',
          });
        }
        walk(item, [...path, key]);
      }
    }
  };
  walk(entity, []);
  return problems;
}

const entityRefValidators = makeValidator();
const REF_FIELDS = [
  'owner',
  'system',
  'domain',
  'subcomponentOf',
  'parent',
  'dependsOn',
  'dependencyOf',
  'memberOf',
  'children',
  'members',
  'providesApis',
  'consumesApis',
];

// Refs in spec must be refs the catalog could resolve: a kind, namespace
// and name of the catalog's own formats.
function refFormatProblems(entity: Entity): ModelProblem[] {
  const problems: ModelProblem[] = [];
  for (const key of REF_FIELDS) {
    const value = entity.spec?.[key];
    let refs: unknown[] = [];
    if (Array.isArray(value)) {
      refs = value;
    } else if (value !== undefined) {
      refs = [value];
    }
    refs.forEach((ref, i) => {
      const field = Array.isArray(value) ? `spec.${key}.${i}` : `spec.${key}`;
      if (typeof ref !== 'string') {
        problems.push({ field, message: 'must be an entity ref' });
        return;
      }
      let parsed;
      try {
        parsed = parseEntityRef(ref, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        });
      } catch (error) {
        problems.push({ field, message: (error as Error).message });
        return;
      }
      if (
        !entityRefValidators.isValidKind(parsed.kind) ||
        !entityRefValidators.isValidNamespace(parsed.namespace) ||
        !entityRefValidators.isValidEntityName(parsed.name)
      ) {
        problems.push({
          field,
          message: `must be an entity ref of the catalog's formats ([kind:][namespace/]name), got ${JSON.stringify(
            ref,
          )}`,
        });
      }
    });
  }
  return problems;
}

/**
 * Every problem of one entity: the catalog's checks first (the model rules
 * assume a well-formed entity), then the model rules.
 *
 * @public
 */
export async function validateModelEntity(
  entity: unknown,
): Promise<ModelProblem[]> {
  const catalogProblems = await catalogEntityProblems(entity);
  if (catalogProblems.length > 0) {
    return catalogProblems;
  }
  return modelRuleProblems(entity as Entity);
}

/**
 * Every problem of a set of entities, each with its index, plus entities
 * sent twice. An empty result means the whole set may be stored.
 *
 * @public
 */
export async function validateModelEntities(
  entities: unknown[],
): Promise<EntitySetProblem[]> {
  const problems: EntitySetProblem[] = [];
  const seen = new Map<string, number>();
  for (const [index, entity] of entities.entries()) {
    const entityProblems = await validateModelEntity(entity);
    let entityRef: string | undefined;
    if (entityProblems.length === 0) {
      entityRef = stringifyEntityRef(entity as Entity);
      const first = seen.get(entityRef);
      if (first !== undefined) {
        entityProblems.push({
          field: 'metadata.name',
          message: `duplicates entity ${first} (${entityRef}); each entity may be sent once`,
        });
      } else {
        seen.set(entityRef, index);
      }
    }
    for (const problem of entityProblems) {
      problems.push({ index, ...(entityRef ? { entityRef } : {}), ...problem });
    }
  }
  return problems;
}

/**
 * One line per problem, for error messages and task logs.
 *
 * @public
 */
export function formatEntitySetProblems(problems: EntitySetProblem[]): string {
  return problems
    .map(
      p =>
        `entities[${p.index}]${p.entityRef ? ` (${p.entityRef})` : ''} ${
          p.field
        }: ${p.message}`,
    )
    .join('\n');
}

/**
 * Whether the data model's rules apply to an entity: it was contributed, is
 * a stage instance, a project, a cluster, or a client or partner Group. Other
 * entities of the catalog (a System from a YAML file) are left alone.
 *
 * @public
 */
export function isStageflowModelEntity(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  const type = entity.spec?.type;
  return (
    annotations[STAGEFLOW_CONTRIBUTOR_ANNOTATION] !== undefined ||
    annotations[STAGEFLOW_PARTNER_OF_ANNOTATION] !== undefined ||
    entity.metadata.labels?.[STAGEFLOW_STAGE_LABEL] !== undefined ||
    (entity.kind === 'Component' && type === PROJECT_COMPONENT_TYPE) ||
    (entity.kind === 'Resource' && type === CLUSTER_RESOURCE_TYPE) ||
    (entity.kind === 'Group' &&
      (type === PARTNER_GROUP_TYPE || type === CLIENT_GROUP_TYPE))
  );
}

/**
 * The project refs a partner Group names in `stageflow.io/partner-of`, as
 * full refs; invalid items are left out (the validators report them).
 *
 * @public
 */
export function getPartnerOfRefs(entity: Entity): string[] {
  const value = entity.metadata.annotations?.[STAGEFLOW_PARTNER_OF_ANNOTATION];
  if (entity.kind !== 'Group' || value === undefined) {
    return [];
  }
  const refs: string[] = [];
  for (const item of commaList(value)) {
    try {
      const ref = parseEntityRef(item, {
        defaultKind: 'component',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      });
      if (ref.kind.toLocaleLowerCase('en-US') === 'component') {
        refs.push(stringifyEntityRef(ref));
      }
    } catch {
      // reported by modelRuleProblems
    }
  }
  return refs;
}

/**
 * A catalog entity, as the model's validators and builders see it; re-named
 * so packages without `@backstage/catalog-model` can name the type.
 *
 * @public
 */
export type ModelEntity = Entity;

/**
 * The full ref of an entity, as the contributions store keys it.
 *
 * @public
 */
export function modelEntityRef(entity: Entity): string {
  return stringifyEntityRef(entity);
}
