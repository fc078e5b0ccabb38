import { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ReleaseService,
  ReleaseTargetSpec,
} from '@stageflow/plugin-stageflow-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../service/parseInput';

const text = (max: number) =>
  z
    .string({ invalid_type_error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const target = z
  .object({
    entityRef: text(512).optional(),
    repoUrl: text(1024).optional(),
    image: text(1024).optional(),
  })
  .strict()
  .transform((value, ctx): ReleaseTargetSpec => {
    const given = Object.entries(value).filter(([, v]) => v !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'give exactly one of entityRef, repoUrl, image',
      });
      return z.NEVER;
    }
    const [key, v] = given[0];
    return { [key]: v } as ReleaseTargetSpec;
  });

const common = {
  target,
  dryRun: z.boolean({ invalid_type_error: 'must be a boolean' }).optional(),
  taskId: text(255).optional(),
};

const tagReleaseBody = z
  .object({
    ...common,
    ref: text(255).optional(),
    // Checked exactly by the service (no v, no build metadata, no spaces).
    version: text(255).optional(),
    bump: z
      .enum(['major', 'minor', 'patch', 'auto'], {
        errorMap: () => ({ message: 'must be major, minor, patch or auto' }),
      })
      .optional(),
    message: z
      .string()
      .max(10_000, 'must be at most 10000 characters')
      .optional(),
    mergeIntegrationBranch: z
      .boolean({ invalid_type_error: 'must be a boolean' })
      .optional(),
  })
  .strict();

const startHotfixBody = z
  .object({
    ...common,
    name: text(1000),
    fromVersion: text(255).optional(),
    cherryPick: z.array(text(255)).max(100).optional(),
  })
  .strict();

const finishHotfixBody = z
  .object({
    ...common,
    branch: text(255),
    deleteBranch: z
      .boolean({ invalid_type_error: 'must be a boolean' })
      .optional(),
  })
  .strict();

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/;

const entityParams = z.object({
  kind: z.string().regex(NAME, 'must be an entity kind'),
  namespace: z.string().regex(NAME, 'must be an entity namespace'),
  name: z.string().regex(NAME, 'must be an entity name'),
});

const promoteBody = z
  .object({
    ...common,
    stage: text(63),
    version: text(255).optional(),
    allowDowngrade: z
      .boolean({ invalid_type_error: 'must be a boolean' })
      .optional(),
    rollback: z.boolean({ invalid_type_error: 'must be a boolean' }).optional(),
  })
  .strict();

/**
 * The write routes of the release service, and the lifecycle reads
 * (unreleased commits, hotfix candidates) the card and forms show. The caller acts: with a
 * scaffolder task, the user who started it (the module's on-behalf-of
 * token); `taskId` names the task in history and audit.
 */
export async function createReleaseRouter(options: {
  httpAuth: HttpAuthService;
  release: ReleaseService;
}): Promise<express.Router> {
  const { httpAuth, release } = options;
  const router = Router();
  router.use(express.json());

  router.post('/v1/releases', async (req, res) => {
    const { taskId, ...request } = parseInput(tagReleaseBody, req.body, 'body');
    const credentials = await httpAuth.credentials(req);
    res.json(await release.tagRelease(request, { credentials, taskId }));
  });

  router.post('/v1/hotfixes', async (req, res) => {
    const { taskId, ...request } = parseInput(
      startHotfixBody,
      req.body,
      'body',
    );
    const credentials = await httpAuth.credentials(req);
    res.json(await release.startHotfix(request, { credentials, taskId }));
  });

  router.post('/v1/hotfixes/finish', async (req, res) => {
    const { taskId, ...request } = parseInput(
      finishHotfixBody,
      req.body,
      'body',
    );
    const credentials = await httpAuth.credentials(req);
    res.json(await release.finishHotfix(request, { credentials, taskId }));
  });

  const entityRef = (req: express.Request) =>
    stringifyEntityRef(parseInput(entityParams, req.params, 'path parameter'));

  router.get(
    '/v1/entities/:kind/:namespace/:name/unreleased',
    async (req, res) => {
      const ref = entityRef(req);
      res.json(
        await release.getUnreleased(ref, {
          credentials: await httpAuth.credentials(req),
        }),
      );
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/hotfixes',
    async (req, res) => {
      const ref = entityRef(req);
      res.json(
        await release.getHotfixes(ref, {
          credentials: await httpAuth.credentials(req),
        }),
      );
    },
  );

  router.post('/v1/promotions', async (req, res) => {
    const { taskId, ...request } = parseInput(promoteBody, req.body, 'body');
    const credentials = await httpAuth.credentials(req);
    res.json(await release.promote(request, { credentials, taskId }));
  });

  return router;
}
