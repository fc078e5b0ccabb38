import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { InputError, ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  APP_TYPES,
  AppShorthand,
  ModelEntity,
  STAGE_NAMES,
  appShorthandProblems,
  buildAppEntities,
  contributorNameProblem,
  formatEntitySetProblems,
  modelEntityRef,
  validateModelEntities,
} from '@stageflow/plugin-stageflow-common';
import { examples } from './catalogRegister.examples';

/**
 * Options of {@link createCatalogRegisterAction}.
 *
 * @public
 */
export interface CatalogRegisterActionOptions {
  discovery: DiscoveryService;
  auth: AuthService;
}

type Shorthand = Partial<Omit<AppShorthand, 'contributor'>>;

function entitiesFromInput(
  contributor: string,
  entities: ModelEntity[] | undefined,
  app: Shorthand,
): ModelEntity[] {
  const problem = contributorNameProblem(contributor);
  if (problem) {
    throw new InputError(`Invalid input: contributor ${problem}`);
  }
  const usesShorthand = app.appId !== undefined;
  if (entities && usesShorthand) {
    throw new InputError(
      'Invalid input: give either entities or the app shorthand (appId, appType, stages, owner, project), not both',
    );
  }
  if (entities) {
    return entities;
  }
  if (!usesShorthand) {
    throw new InputError(
      'Invalid input: give entities, or the app shorthand starting with appId',
    );
  }
  const problems = appShorthandProblems(app as AppShorthand);
  if (problems.length > 0) {
    throw new InputError(
      `Invalid input:\n${problems
        .map(p => `${p.field}: ${p.message}`)
        .join('\n')}`,
    );
  }
  return buildAppEntities({ ...(app as AppShorthand), contributor });
}

// Entities sent again replace the stored ones of the same ref; the others
// of the contributor stay, so registering adds to the set.
function merge(existing: ModelEntity[], added: ModelEntity[]): ModelEntity[] {
  const addedRefs = new Set(added.map(modelEntityRef));
  return [
    ...existing.filter(entity => !addedRefs.has(modelEntityRef(entity))),
    ...added,
  ];
}

// The backend's refusal (400, 403, 409) is the error the task log shows, with
// the backend's reason; anything else stays a ResponseError (not the
// initiator's fault).
async function refusalOrFailure(response: Response): Promise<Error> {
  const error = await ResponseError.fromResponse(response);
  return response.status >= 400 && response.status < 500 ? error.cause : error;
}

/**
 * `stageflow:catalog:register`: validates entities of the data model (or
 * builds them from the app shorthand) and adds them to a contributor's set
 * in the Stageflow backend, from where the catalog ingests them.
 *
 * @public
 */
export function createCatalogRegisterAction(
  options: CatalogRegisterActionOptions,
) {
  const { discovery, auth } = options;
  return createTemplateAction({
    id: 'stageflow:catalog:register',
    description:
      "Validates catalog entities of the Stageflow data model and adds them to a contributor's set; the catalog ingests them within seconds.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        contributor: z =>
          z
            .string()
            .describe(
              'The system registering the entities (devops, rancher, license-portal): 1-63 of a-z, 0-9, "-"',
            ),
        entities: z =>
          z
            .array(z.record(z.any()))
            .optional()
            .describe(
              'Catalog entities (Component, Resource, Group, User, System, Domain); or use the app shorthand',
            ),
        appId: z =>
          z
            .string()
            .optional()
            .describe('App shorthand: the app id, a-z and 0-9 (phippy)'),
        appType: z =>
          z
            .enum(APP_TYPES)
            .optional()
            .describe('App shorthand: the app type, cs, ap or ps'),
        instance: z =>
          z
            .string()
            .optional()
            .describe(
              'App shorthand: the instance, left out for single-instance apps',
            ),
        stages: z =>
          z
            .array(z.enum(STAGE_NAMES))
            .optional()
            .describe('App shorthand: the stages to register, dev, int, prd'),
        owner: z =>
          z
            .string()
            .optional()
            .describe('App shorthand: the team running the app (group:team-a)'),
        project: z =>
          z
            .string()
            .optional()
            .describe(
              'App shorthand: the project Component the stage instances depend on (3000)',
            ),
        system: z =>
          z
            .string()
            .optional()
            .describe(
              'App shorthand: when given, the project is declared too, as part of this System',
            ),
        domain: z =>
          z
            .string()
            .optional()
            .describe(
              'App shorthand: when given with system, the System is declared too, in this Domain',
            ),
        projectOwner: z =>
          z
            .string()
            .optional()
            .describe(
              'App shorthand: the client Group owning the project; default owner',
            ),
        cluster: z =>
          z
            .union([z.string(), z.record(z.string())])
            .optional()
            .describe(
              'App shorthand: the cluster Resource of every stage, or one per stage ({ prd: prod-cluster })',
            ),
        consumers: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'App shorthand: the systems reading the entities (argocd)',
            ),
        componentType: z =>
          z
            .string()
            .optional()
            .describe(
              'App shorthand: spec.type of the stage instances; default service',
            ),
      },
      output: {
        entityRefs: z =>
          z
            .array(z.string())
            .describe(
              'The refs of the entities registered (or, in a dry run, that would be)',
            ),
      },
    },
    async handler(ctx) {
      const { contributor, entities: given, ...app } = ctx.input;
      const entities = entitiesFromInput(
        contributor,
        given as ModelEntity[] | undefined,
        app as Shorthand,
      );
      const problems = await validateModelEntities(entities);
      if (problems.length > 0) {
        throw new InputError(
          `Invalid entities, nothing was registered:\n${formatEntitySetProblems(
            problems,
          )}`,
        );
      }
      const entityRefs = entities.map(modelEntityRef);
      ctx.logger.info(
        `Registering ${
          entityRefs.length
        } entities for contributor ${contributor}: ${entityRefs.join(', ')}`,
      );

      // The Stageflow backend decides, with the initiator's credentials,
      // whether the set may be written: the same rules as a PUT of its own.
      // A dry run asks it with dryRun=true, which stores nothing.
      const baseUrl = `${await discovery.getBaseUrl(
        'stageflow',
      )}/v1/contributions/${encodeURIComponent(contributor)}`;
      const addToSet = async (dryRun: boolean): Promise<string[]> => {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await ctx.getInitiatorCredentials(),
          targetPluginId: 'stageflow',
        });
        const headers = {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        };
        const current = await fetch(baseUrl, { headers });
        if (!current.ok) {
          throw await refusalOrFailure(current);
        }
        const existing = ((await current.json()) as { entities: ModelEntity[] })
          .entities;
        const response = await fetch(
          dryRun ? `${baseUrl}?dryRun=true` : baseUrl,
          {
            method: 'PUT',
            headers,
            body: JSON.stringify({ entities: merge(existing, entities) }),
          },
        );
        if (!response.ok) {
          throw await refusalOrFailure(response);
        }
        const body = (await response.json()) as { entityRefs: string[] };
        return body.entityRefs;
      };
      if (ctx.isDryRun) {
        await addToSet(true);
        ctx.logger.info(
          `Contributor ${contributor} may register these entities; nothing was stored (dry run)`,
        );
        ctx.output('entityRefs', entityRefs);
        return;
      }
      const stored = await ctx.checkpoint({
        key: `stageflow.catalog.register.${contributor}.${ctx.step?.id ?? ''}`,
        fn: () => addToSet(false),
      });
      ctx.logger.info(
        `Contributor ${contributor} now has ${stored.length} entities; the catalog picks them up within seconds`,
      );
      ctx.output('entityRefs', entityRefs);
    },
  });
}
