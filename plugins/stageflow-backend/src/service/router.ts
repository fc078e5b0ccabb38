import express from 'express';
import Router from 'express-promise-router';
import { HealthResponse } from '@stageflow/plugin-stageflow-common';

export async function createRouter(): Promise<express.Router> {
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    const body: HealthResponse = { status: 'ok' };
    res.json(body);
  });

  return router;
}
