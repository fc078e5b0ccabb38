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
  STAGEFLOW_PARTNER_OF_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
  STAGEFLOW_STAGE_LABEL,
  StageInfo,
  StagesResponse,
} from '@stageflow/plugin-stageflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { stringify } from 'yaml';
import {
  ArgoCdExportOptions,
  ProjectExport,
  StageRunning,
  appRefsOf,
  argoCdManifests,
  renderArgoCdExports,
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
  /**
   * What each stage of an app runs (the release service's stages), so that
   * every element pins it; without it, elements follow their annotations.
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
 * The export as one multi-document YAML: the warnings as comments, then each
 * project's AppProject and ApplicationSet.
 *
 * @public
 */
export function toMultiDocumentYaml(exports: ProjectExport[]): string {
  const comments = exports
    .flatMap(e => e.warnings)
    .map(warning => `# ${warning.replace(/\s*\n\s*/g, ' ')}\n`)
    .join('');
  const documents = argoCdManifests(exports).map(
    manifest => `---\n${stringify(manifest, { lineWidth: 0 })}`,
  );
  return `${comments}${documents.join('')}`;
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
  const entityRefs = appRefsOf(items).filter(
    ref => !items.some(item => stringifyEntityRef(item) === ref),
  );
  if (entityRefs.length === 0) {
    return items;
  }
  const apps = await catalog.getEntitiesByRefs({ entityRefs }, { credentials });
  return [
    ...items,
    ...apps.items.filter((app): app is Entity => app !== undefined),
  ];
}

/**
 * What every Stageflow-followed app's stages run (the release tag, else
 * the commit), for the elements. An app Stageflow cannot resolve keeps its
 * annotations: its element is not left out for it.
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
  const warnings: string[] = [];
  await Promise.all(
    apps.map(async ref => {
      try {
        byApp.set(ref, (await stages(ref, credentials)).stages);
      } catch (error) {
        warnings.push(
          `${ref}: Stageflow could not read what its stages run (${
            (error as Error).message
          }); its elements follow their annotations`,
        );
      }
    }),
  );
  const running = (appRef: string, stage: string): StageRunning | undefined => {
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
  return { running, warnings: warnings.sort() };
}

/**
 * Routes of the exports for the consumers of the data model:
 * `GET /v1/export/argocd[?project=<name or ref>]` renders each project's Argo
 * CD AppProject and ApplicationSet from the catalog, read with the caller's
 * credentials, as multi-document YAML.
 *
 * @public
 */
export async function createExportRouter(
  options: ExportRouterOptions,
): Promise<express.Router> {
  const { catalog, httpAuth, stages, ...renderOptions } = options;
  const router = Router();

  router.get('/v1/export/argocd', async (req, res) => {
    const projectRef = projectParam(req.query.project);
    const credentials = await httpAuth.credentials(req);
    const entities = await readModel(catalog, credentials, projectRef);
    const pinned = stages
      ? await readRunning(entities, credentials, stages)
      : undefined;
    const exports = renderArgoCdExports(entities, {
      ...renderOptions,
      ...(pinned ? { running: pinned.running } : {}),
      ...(projectRef ? { projectRefs: [projectRef] } : {}),
    });
    if (projectRef && exports.length === 0) {
      throw new NotFoundError(
        `No project ${projectRef}: no Component of type ${PROJECT_COMPONENT_TYPE} by that ref is visible to you`,
      );
    }
    for (const warning of pinned?.warnings ?? []) {
      exports[0]?.warnings.push(warning);
    }
    res.type('application/yaml').send(toMultiDocumentYaml(exports));
  });

  return router;
}
