import {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CLUSTER_RESOURCE_TYPE,
  PROJECT_COMPONENT_TYPE,
  STAGEFLOW_IMAGE_ANNOTATION,
  STAGEFLOW_PARTNER_OF_ANNOTATION,
  STAGEFLOW_STAGE_LABEL,
  StageInfo,
  StagesResponse,
} from '@stageflow/plugin-stageflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { Document } from 'yaml';
import {
  ArgoCdExport,
  ArgoCdExportOptions,
  ArgoCdExportTrust,
  StageRunning,
  appRefsOf,
  argoCdManifests,
  isProject,
  renderArgoCdExports,
  safeText,
} from './argocd';

/**
 * Options of {@link createExportRouter}.
 *
 * @public
 */
export interface ExportRouterOptions extends ArgoCdExportOptions {
  /** The catalog, read with the caller's credentials. */
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  /** Which entities may give destinations, sources and roles. */
  trust: ArgoCdExportTrust;
  /**
   * What each stage of an app runs (the release service's stages), so that
   * every element pins it; an app whose stages fail (the caller logs why)
   * or without it, elements follow their annotations.
   */
  stages?: (
    appRef: string,
    credentials: BackstageCredentials,
  ) => Promise<StagesResponse>;
}

const ENTITY_NAME = /^([A-Za-z0-9]+[-_.])*[A-Za-z0-9]+$/;

// `?project=3000` or `?project=component:default/3000`; one value only.
function projectParam(value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const invalid = (why: string) =>
    new InputError(`Invalid query parameter project: ${why}`);
  if (typeof value !== 'string') {
    throw invalid('give it once, as a project name or component ref');
  }
  let ref;
  try {
    ref = parseEntityRef(value, {
      defaultKind: 'component',
      defaultNamespace: DEFAULT_NAMESPACE,
    });
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'component') {
    throw invalid(`must name a project Component, got "${value}"`);
  }
  if (!ENTITY_NAME.test(ref.name) || ref.name.length > 63) {
    throw invalid(
      `must be an entity name ([a-zA-Z0-9] sequences separated by -_. , at most 63 characters), got "${value}"`,
    );
  }
  return stringifyEntityRef(ref);
}

/**
 * The export as one multi-document YAML: what was left out as comments (one
 * line each, Stageflow's own words and entity refs, control characters
 * removed), then each project's AppProject and ApplicationSet, each
 * serialized by the YAML library with the YAML 1.1 schema, so that 1.1 and
 * 1.2 parsers read the same values.
 *
 * @public
 */
export function toMultiDocumentYaml(exported: ArgoCdExport): string {
  const comments = exported.leftOut
    .map(
      item =>
        `# left out of ${safeText(item.projectRef)}: ${safeText(
          item.entityRef,
        )}: ${safeText(item.message)} (${item.reason})\n`,
    )
    .join('');
  const documents = argoCdManifests(exported.projects).map(manifest => {
    const doc = new Document(manifest, { version: '1.1' });
    doc.directives!.docStart = true;
    return doc.toString({ lineWidth: 0 });
  });
  return `${comments}${documents.join('')}`;
}

// The owning Groups of the projects, for a second catalog read: a role
// goes only to a Group the catalog really has.
function ownerRefsOf(entities: Entity[]): string[] {
  const refs = new Set<string>();
  for (const entity of entities.filter(isProject)) {
    try {
      const ref = parseEntityRef(String(entity.spec?.owner ?? ''), {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
      });
      if (ref.kind.toLocaleLowerCase('en-US') === 'group') {
        refs.add(stringifyEntityRef(ref));
      }
    } catch {
      // no owner role; the export says so
    }
  }
  return [...refs];
}

async function readModel(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  projectRef: string | undefined,
): Promise<Entity[]> {
  const projectFilter: Record<string, string> = {
    kind: 'component',
    'spec.type': PROJECT_COMPONENT_TYPE,
  };
  if (projectRef) {
    const ref = parseEntityRef(projectRef);
    projectFilter['metadata.namespace'] = ref.namespace;
    projectFilter['metadata.name'] = ref.name;
  }
  const { items } = await catalog.getEntities(
    {
      filter: [
        projectFilter,
        {
          kind: 'component',
          [`metadata.labels.${STAGEFLOW_STAGE_LABEL}`]: CATALOG_FILTER_EXISTS,
        },
        {
          kind: 'group',
          [`metadata.annotations.${STAGEFLOW_PARTNER_OF_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
        { kind: 'resource', 'spec.type': CLUSTER_RESOURCE_TYPE },
      ],
    },
    { credentials },
  );
  const have = new Set(items.map(item => stringifyEntityRef(item)));
  const entityRefs = [
    ...new Set([...appRefsOf(items), ...ownerRefsOf(items)]),
  ].filter(ref => !have.has(ref));
  if (entityRefs.length === 0) {
    return items;
  }
  const apps = await catalog.getEntitiesByRefs({ entityRefs }, { credentials });
  return [
    ...items,
    ...apps.items.filter((app): app is Entity => app !== undefined),
  ];
}

const formatParam = z.enum(['yaml', 'json']).optional();

/**
 * What every Stageflow-followed app's stages run (the release tag, else
 * the commit), for the elements.
 */
async function readRunning(
  entities: Entity[],
  credentials: BackstageCredentials,
  stages: NonNullable<ExportRouterOptions['stages']>,
) {
  const apps = appRefsOf(entities).filter(ref =>
    entities.some(
      entity =>
        stringifyEntityRef(entity) === ref &&
        entity.metadata.annotations?.[STAGEFLOW_IMAGE_ANNOTATION],
    ),
  );
  const byApp = new Map<string, StageInfo[]>();
  await Promise.all(
    apps.map(async ref => {
      // A failure is the callback's to log; the app keeps its annotations.
      const response = await stages(ref, credentials).catch(() => undefined);
      if (response) {
        byApp.set(ref, response.stages);
      }
    }),
  );
  return (appRef: string, stage: string): StageRunning | undefined => {
    const info = byApp.get(appRef)?.find(s => s.name === stage);
    const targetRevision = info?.tag ?? info?.revision;
    if (!info || !targetRevision) {
      return undefined;
    }
    return {
      targetRevision,
      ...(info.version ? { version: info.version } : {}),
      ...(info.digest ? { digest: info.digest } : {}),
    };
  };
}

/**
 * Routes of the exports for the consumers of the data model:
 * `GET /v1/export/argocd[?project=<name or ref>][&format=json]` renders each
 * project's Argo CD AppProject and ApplicationSet from the catalog, read with
 * the caller's credentials, as multi-document YAML, or as JSON
 * (`{ documents, leftOut }`).
 *
 * @public
 */
export async function createExportRouter(
  options: ExportRouterOptions,
): Promise<express.Router> {
  const { catalog, httpAuth, trust, stages, ...renderOptions } = options;
  const router = Router();

  router.get('/v1/export/argocd', async (req, res) => {
    const projectRef = projectParam(req.query.project);
    const format = formatParam.safeParse(req.query.format);
    if (!format.success) {
      throw new InputError(
        'Invalid query parameter format: must be yaml or json, given once',
      );
    }
    const credentials = await httpAuth.credentials(req);
    const entities = await readModel(catalog, credentials, projectRef);
    const running = stages
      ? await readRunning(entities, credentials, stages)
      : undefined;
    const exported = renderArgoCdExports(entities, {
      ...renderOptions,
      trust,
      ...(running ? { running } : {}),
      ...(projectRef ? { projectRefs: [projectRef] } : {}),
    });
    if (
      projectRef &&
      exported.projects.length === 0 &&
      !exported.leftOut.some(item => item.projectRef === projectRef)
    ) {
      throw new NotFoundError(
        `No project ${projectRef}: no Component of type ${PROJECT_COMPONENT_TYPE} by that ref is visible to you`,
      );
    }
    if (format.data === 'json') {
      res.json({
        documents: argoCdManifests(exported.projects),
        leftOut: exported.leftOut,
      });
      return;
    }
    res.type('application/yaml').send(toMultiDocumentYaml(exported));
  });

  return router;
}
