import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import catalogModuleStageflow from '@stageflow/plugin-catalog-backend-module-stageflow';
import stageflowPlugin from '@stageflow/plugin-stageflow-backend';
import { buildAppEntities } from '@stageflow/plugin-stageflow-common';
import { LastKnownCatalog } from '@stageflow/plugin-stageflow-node';
import { startTcpProxy } from '@stageflow/plugin-stageflow-node/testUtils';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';

/**
 * The catalog is a plugin of the same backend, on the same PostgreSQL. With
 * PostgreSQL cut, a request for an entity this caller read before answers
 * from the last known copy, marked stale; after the cut, fresh again.
 */
jest.setTimeout(90_000);

const prefix = `sf_lastknown_${randomUUID().slice(0, 8)}_`;

// What the release service does before resolving stages.
const probePlugin = createBackendPlugin({
  pluginId: 'probe',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogServiceRef,
        cache: coreServices.cache,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
      },
      async init({ catalog, cache, httpRouter, httpAuth, logger }) {
        const lastKnown = new LastKnownCatalog({
          catalog,
          cache,
          logger,
          timeoutMs: 1000,
        });
        httpRouter.use((req, res, next) => {
          const name = /^\/entity\/([\w-]+)$/.exec(req.path)?.[1];
          if (!name) {
            next();
            return;
          }
          (async () => {
            const { entity, stale } = await lastKnown.getEntityByRef(
              `component:default/${name}`,
              { credentials: await httpAuth.credentials(req) },
            );
            res.json({ name: entity?.metadata.name, stale });
          })().catch(next);
        });
      },
    });
  },
});

describe('the last known catalog', () => {
  afterAll(async () => {
    const admin = knexFactory({
      client: 'pg',
      connection: 'postgresql://postgres@127.0.0.1:5432',
    });
    const { rows } = await admin.raw(
      'select datname from pg_database where datname like ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
    await admin.destroy();
  });

  it('answers from the last known entity, marked stale, while PostgreSQL is cut', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleStageflow,
        stageflowPlugin,
        probePlugin,
        eventsServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: {
                client: 'pg',
                connection: {
                  host: '127.0.0.1',
                  port: proxy.port,
                  user: 'postgres',
                },
                prefix,
                knexConfig: { acquireConnectionTimeout: 10_000 },
              },
            },
            catalog: { rules: [{ allow: ['Component', 'System', 'Domain'] }] },
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
    const user = mockCredentials.user.header('user:default/guest');
    const probe = () =>
      request(backend.server)
        .get('/api/probe/entity/ap-zeus-dev')
        .set('Authorization', user);
    try {
      await request(backend.server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({
          entities: buildAppEntities({
            appId: 'zeus',
            appType: 'ap',
            stages: ['dev'],
            owner: 'group:default/team-a',
            project: 'zeus',
          }),
        })
        .expect(200);
      for (
        let i = 0;
        i < 200 && (await probe()).body.name !== 'ap-zeus-dev';
        i++
      ) {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      const fresh = await probe();
      expect(fresh.body).toEqual({ name: 'ap-zeus-dev' });

      proxy.cut();
      const stale = await probe();
      expect(stale.status).toBe(200);
      expect(stale.body).toMatchObject({
        name: 'ap-zeus-dev',
        stale: {
          asOf: expect.any(String),
          reason: expect.stringContaining('Catalog unavailable'),
        },
      });
      // Nothing is invented: an entity never read is still an error.
      const unknown = await request(backend.server)
        .get('/api/probe/entity/never-read')
        .set('Authorization', user);
      expect(unknown.status).toBe(500);

      proxy.restore();
      let back = await probe();
      for (let i = 0; i < 100 && back.body.stale; i++) {
        await new Promise(resolve => setTimeout(resolve, 100));
        back = await probe();
      }
      expect(back.body).toEqual({ name: 'ap-zeus-dev' });
    } finally {
      await backend.stop();
      await proxy.close();
    }
  });
});
