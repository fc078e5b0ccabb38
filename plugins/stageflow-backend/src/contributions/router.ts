import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntitySetProblem,
  STAGEFLOW_CONTRIBUTIONS_TOPIC,
  STAGEFLOW_CONTRIBUTOR_ANNOTATION,
  contributorLocationKey,
  contributorNameProblem,
  contributorRuleProblems,
  formatEntitySetProblems,
  validateModelEntities,
} from '@stageflow/plugin-stageflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ContributionsStore } from './ContributionsStore';
import { ContributorAccess } from './ContributorAccess';
import { ContributorConfig } from './readContributorsConfig';

/**
 * The part of the events service the router uses; the platform's
 * `EventsService` fits it.
 *
 * @public
 */
export interface ContributionsEventPublisher {
  publish(params: { topic: string; eventPayload: unknown }): Promise<void>;
}

/**
 * Options of {@link createContributionsRouter}.
 *
 * @public
 */
export interface ContributionsRouterOptions {
  store: ContributionsStore;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  logger: LoggerService;
  /** Who may write which set (config and permission policy). */
  access: ContributorAccess;
  /**
   * When given, a set naming an entity that another catalog location
   * provides is refused (read with the plugin's own credentials).
   */
  catalog?: CatalogService;
  auth?: AuthService;
  /** When given, a change is announced on `STAGEFLOW_CONTRIBUTIONS_TOPIC`. */
  events?: ContributionsEventPublisher;
}

const putBody = z.object({
  entities: z.array(z.unknown()),
});

const putQuery = z
  .object({ dryRun: z.enum(['true', 'false']).optional() })
  .strict();

function contributorParam(value: string): string {
  const problem = contributorNameProblem(value);
  if (problem) {
    throw new InputError(`Invalid contributor: ${problem}`);
  }
  return value;
}

function principalName(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return (
    principal.userEntityRef ?? principal.subject ?? principal.type ?? 'unknown'
  );
}

// A contributor may leave the annotation out (it is stamped) but may not
// claim to be someone else: that is almost always a copy-paste mistake.
function contributorMismatches(
  contributor: string,
  entities: unknown[],
): EntitySetProblem[] {
  const problems: EntitySetProblem[] = [];
  entities.forEach((entity, index) => {
    const claimed = (entity as Entity)?.metadata?.annotations?.[
      STAGEFLOW_CONTRIBUTOR_ANNOTATION
    ];
    if (claimed !== undefined && claimed !== contributor) {
      problems.push({
        index,
        field: `metadata.annotations.${STAGEFLOW_CONTRIBUTOR_ANNOTATION}`,
        message: `must be "${contributor}" (the contributor in the path) or absent, got "${claimed}"`,
      });
    }
  });
  return problems;
}

function stamp(contributor: string, entity: Entity): Entity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        [STAGEFLOW_CONTRIBUTOR_ANNOTATION]: contributor,
      },
    },
  };
}

/**
 * The contributions routes, to mount on the plugin's `httpRouter`:
 * `GET /v1/contributions`, `GET /v1/contributions/:contributor` and
 * `PUT /v1/contributions/:contributor` (replaces the contributor's set).
 *
 * @public
 */
export async function createContributionsRouter(
  options: ContributionsRouterOptions,
): Promise<express.Router> {
  const { store, httpAuth, auditor, logger, events } = options;
  const router = Router();
  // Sets of a few thousand entities exceed express' 100kb default.
  router.use('/v1/contributions', express.json({ limit: '10mb' }));

  router.get('/v1/contributions', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ contributors: await store.listContributors() });
  });

  router.get('/v1/contributions/:contributor', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const contributor = contributorParam(req.params.contributor);
    res.json(await store.getContribution(contributor));
  });

  router.put('/v1/contributions/:contributor', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const contributor = contributorParam(req.params.contributor);
    const query = putQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        'Invalid query: only dryRun=true or dryRun=false is allowed',
      );
    }
    const dryRun = query.data.dryRun === 'true';
    const auditEvent = await auditor.createEvent({
      eventId: 'contributions-replace',
      severityLevel: dryRun ? 'low' : 'medium',
      request: req,
      meta: { contributor, ...(dryRun ? { dryRun } : {}) },
    });
    try {
      const config = await options.access.authorizeWrite(
        contributor,
        credentials,
      );
      const entities = await checkedSet(config, req.body);
      const entityRefs = dryRun
        ? entities.map(entity => stringifyEntityRef(entity))
        : await replace(contributor, entities, credentials);
      await auditEvent.success({ meta: { entityCount: entityRefs.length } });
      res.json({ contributor, entityRefs, ...(dryRun ? { dryRun } : {}) });
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  });

  // Everything that may refuse the set, in the order of the answer: its
  // size (before any entity is looked at), what the contributor may write
  // (403), the catalog's and the model's rules (400), and entities other
  // locations provide (409).
  async function checkedSet(
    config: ContributorConfig,
    requestBody: unknown,
  ): Promise<Entity[]> {
    const contributor = config.name;
    const body = putBody.safeParse(requestBody);
    if (!body.success) {
      throw new InputError(
        'Invalid body: entities must be an array of catalog entities, as in { "entities": [...] }',
      );
    }
    const { entities } = body.data;
    if (entities.length > config.maxEntities) {
      throw new InputError(
        `Invalid body: contributor ${contributor} may hold at most ${config.maxEntities} entities (stageflow.contributors.${contributor}.maxEntities), got ${entities.length}; nothing was stored`,
      );
    }
    const forbidden = contributorRuleProblems(contributor, config, entities);
    if (forbidden.length > 0) {
      throw new NotAllowedError(
        `Entities contributor ${contributor} may not write, nothing was stored:\n${formatEntitySetProblems(
          forbidden,
        )}`,
      );
    }
    const problems = [
      ...(await validateModelEntities(entities)),
      ...contributorMismatches(contributor, entities),
    ].sort((a, b) => a.index - b.index);
    if (problems.length > 0) {
      throw new InputError(
        `Invalid entities, nothing was stored:\n${formatEntitySetProblems(
          problems,
        )}`,
      );
    }
    const valid = (entities as Entity[]).map(entity =>
      stamp(contributor, entity),
    );
    await refuseOtherLocations(contributor, valid);
    return valid;
  }

  async function refuseOtherLocations(
    contributor: string,
    entities: Entity[],
  ): Promise<void> {
    const { catalog, auth } = options;
    if (!catalog || !auth || entities.length === 0) {
      return;
    }
    const ownKey = contributorLocationKey(contributor);
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: entities.map(entity => stringifyEntityRef(entity)),
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const taken = items.flatMap(item => {
      const location = item?.metadata.annotations?.[ANNOTATION_LOCATION];
      if (!item || location === ownKey) {
        return [];
      }
      // The location's type only: its target may be a server path.
      const type = location?.split(':')[0] || 'unknown';
      return [`${stringifyEntityRef(item)} (from a ${type} location)`];
    });
    if (taken.length > 0) {
      throw new ConflictError(
        `Entities another catalog location already provides, nothing was stored: ${taken.join(
          ', ',
        )}`,
      );
    }
  }

  async function replace(
    contributor: string,
    entities: Entity[],
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const updatedBy = principalName(credentials);
    const entityRefs = await store.replaceContribution({
      contributor,
      entities,
      updatedBy,
    });
    logger.info('Replaced contributions', {
      contributor,
      entityCount: entityRefs.length,
      updatedBy,
    });
    if (events) {
      // The change is stored already; a failed announcement only delays
      // ingestion until the provider's next scheduled read.
      await events
        .publish({
          topic: STAGEFLOW_CONTRIBUTIONS_TOPIC,
          eventPayload: { contributor, entityRefs },
        })
        .catch(error =>
          logger.warn('Could not publish the contributions event', {
            contributor,
            error: String(error),
          }),
        );
    }
    return entityRefs;
  }

  return router;
}
