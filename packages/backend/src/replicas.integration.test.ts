import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import stageflowPlugin from '@stageflow/plugin-stageflow-backend';
import { buildAppEntities } from '@stageflow/plugin-stageflow-common';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { migrationSafeDatabaseServiceFactory } from './database/migrationSafeDatabaseServiceFactory';

/**
 * Two replicas of the backend started at the same moment on an empty
 * PostgreSQL: each creates the plugins' databases and runs the migrations
 * of the catalog and of Stageflow, and both come up.
 */
jest.setTimeout(90_000);

const CONNECTION = 'postgresql://postgres@127.0.0.1:5432';

describe('two replicas started together on an empty database', () => {
  const prefix = `sf_replicas_${randomUUID().slice(0, 8)}_`;

  afterAll(async () => {
    const admin = knexFactory({ client: 'pg', connection: CONNECTION });
    const { rows } = await admin.raw(
      'select datname from pg_database where datname like ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
    await admin.destroy();
  });

  const replica = () =>
    startTestBackend({
      features: [
        catalogPlugin,
        stageflowPlugin,
        eventsServiceFactory,
        migrationSafeDatabaseServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: { client: 'pg', connection: CONNECTION, prefix },
            },
            stageflow: {
              contributors: {
                devops: {
                  writers: { users: ['user:default/guest'] },
                  kinds: ['Component', 'System', 'Domain'],
                },
              },
            },
          },
        }),
      ],
    });

  it('both come up, answer, and take the same contributor set at once', async () => {
    const replicas = await Promise.all([replica(), replica()]);
    try {
      for (const backend of replicas) {
        const res = await request(backend.server).get(
          '/api/stageflow/readiness',
        );
        expect(res.status).toBe(200);
        expect(res.body.checks.database.status).toBe('ok');
      }

      const user = mockCredentials.user.header('user:default/guest');
      const entities = buildAppEntities({
        appId: 'zeus',
        appType: 'ap',
        stages: ['dev', 'int', 'prd'],
        owner: 'group:default/team-a',
        project: 'zeus',
      });
      const statuses: number[] = [];
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          replicas.map(backend =>
            request(backend.server)
              .put('/api/stageflow/v1/contributions/devops')
              .set('Authorization', user)
              .send({ entities }),
          ),
        );
        statuses.push(...answers.map(res => res.status));
      }
      expect(statuses).toEqual(Array(20).fill(200));
    } finally {
      await Promise.all(replicas.map(backend => backend.stop()));
    }
  });
});
