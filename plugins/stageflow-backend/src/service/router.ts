import { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { HealthResponse } from '@stageflow/plugin-stageflow-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ReleaseService } from '@stageflow/plugin-stageflow-node';
import { StageflowService } from './StageflowService';
import { parseInput } from './parseInput';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/;

const entityParams = z.object({
  kind: z.string().regex(NAME, 'must be an entity kind'),
  namespace: z.string().regex(NAME, 'must be an entity namespace'),
  name: z.string().regex(NAME, 'must be an entity name'),
});

const compareQuery = z.object({
  from: z
    .string({ required_error: 'is required' })
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters'),
  to: z
    .string({ required_error: 'is required' })
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters'),
});

const overviewQuery = z.object({
  limit: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be between 1 and 500')
    .max(500, 'must be between 1 and 500')
    .default(50),
  offset: z.coerce
    .number()
    .int('must be an integer')
    .min(0, 'must be zero or more')
    .default(0),
  owner: z.string().min(1).optional(),
  system: z.string().min(1).optional(),
  flow: z.string().min(1).optional(),
});

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  service: StageflowService;
  release: ReleaseService;
}): Promise<express.Router> {
  const { httpAuth, service, release } = options;
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    const body: HealthResponse = { status: 'ok' };
    res.json(body);
  });

  const entityRef = (req: express.Request) => {
    const params = parseInput(entityParams, req.params, 'path parameter');
    return stringifyEntityRef(params);
  };

  router.get('/v1/entities/:kind/:namespace/:name/stages', async (req, res) => {
    const ref = entityRef(req);
    res.json(
      await release.getStages(ref, {
        credentials: await httpAuth.credentials(req),
      }),
    );
  });

  router.get(
    '/v1/entities/:kind/:namespace/:name/releases',
    async (req, res) => {
      const ref = entityRef(req);
      res.json(
        await release.getReleases(ref, {
          credentials: await httpAuth.credentials(req),
        }),
      );
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/compare',
    async (req, res) => {
      const ref = entityRef(req);
      const { from, to } = parseInput(
        compareQuery,
        req.query,
        'query parameter',
      );
      res.json(
        await service.compare(ref, from, to, await httpAuth.credentials(req)),
      );
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/history',
    async (req, res) => {
      const ref = entityRef(req);
      res.json(await service.history(ref, await httpAuth.credentials(req)));
    },
  );

  router.get('/v1/overview', async (req, res) => {
    const query = parseInput(overviewQuery, req.query, 'query parameter');
    res.json(await service.overview(query, await httpAuth.credentials(req)));
  });

  return router;
}
