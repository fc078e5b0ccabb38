import { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../../service/parseInput';
import { PromotionApprovalsService } from './PromotionApprovalsService';

const decisionBody = z
  .object({
    comment: z
      .string({ invalid_type_error: 'must be a string' })
      .max(2000, 'must be at most 2000 characters')
      .optional(),
  })
  .strict();

const requestId = z.object({
  id: z.string().uuid('must be a promotion request id (a UUID)'),
});

/**
 * The promotion requests of protected stages: list per entity, approve,
 * reject. `POST /v1/promotions` (run a promotion) is the release router's.
 */
export async function createApprovalsRouter(options: {
  httpAuth: HttpAuthService;
  approvals: PromotionApprovalsService;
}): Promise<express.Router> {
  const { httpAuth, approvals } = options;
  const router = Router();
  router.use(express.json());

  router.get(
    '/v1/entities/:kind/:namespace/:name/promotions',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      const entityRef = stringifyEntityRef(req.params);
      res.json({ promotions: await approvals.list(entityRef, credentials) });
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/v1/promotions/:id/${decision}`, async (req, res) => {
      const { id } = parseInput(requestId, req.params, 'path');
      const { comment } = parseInput(decisionBody, req.body ?? {}, 'body');
      const credentials = await httpAuth.credentials(req, {
        allow: ['user'],
      });
      res.json(await approvals.decide(id, decision, comment, credentials));
    });
  }

  return router;
}
