import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntitySetProblem,
  STAGEFLOW_CONTRIBUTIONS_TOPIC,
  STAGEFLOW_CONTRIBUTOR_ANNOTATION,
  contributorNameProblem,
  formatEntitySetProblems,
  validateModelEntities,
  stageflowContributionsWritePermission,
} from '@stageflow/plugin-stageflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ContributionsStore } from './ContributionsStore';

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
  /** When given, writes need `stageflow.contributions.write`. */
  permissions?: PermissionsService;
  /** When given, a change is announced on `STAGEFLOW_CONTRIBUTIONS_TOPIC`. */
  events?: ContributionsEventPublisher;
}

const putBody = z.object({
  entities: z.array(z.unknown()),
});

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
    if (options.permissions) {
      const [decision] = await options.permissions.authorize(
        [{ permission: stageflowContributionsWritePermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `You may not replace the entities of contributor ${contributor} (permission ${stageflowContributionsWritePermission.name})`,
        );
      }
    }
    const auditEvent = await auditor.createEvent({
      eventId: 'contributions-replace',
      severityLevel: 'medium',
      request: req,
      meta: { contributor },
    });
    try {
      const entityRefs = await replace(contributor, req.body, credentials);
      await auditEvent.success({ meta: { entityCount: entityRefs.length } });
      res.json({ contributor, entityRefs });
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  });

  async function replace(
    contributor: string,
    requestBody: unknown,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const body = putBody.safeParse(requestBody);
    if (!body.success) {
      throw new InputError(
        'Invalid body: entities must be an array of catalog entities, as in { "entities": [...] }',
      );
    }
    const { entities } = body.data;
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
    const updatedBy = principalName(credentials);
    const entityRefs = await store.replaceContribution({
      contributor,
      entities: (entities as Entity[]).map(entity =>
        stamp(contributor, entity),
      ),
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
