import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { ResilientCache } from '@stageflow/plugin-stageflow-node';
import { startTcpProxy } from '@stageflow/plugin-stageflow-node/testUtils';
import knexFactory from 'knex';
import request from 'supertest';
import { useReadiness } from './useReadiness';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';

jest.setTimeout(60_000);

/** The plugin's first line of init, then what may fail after it. */
const plugin = (rest: () => Promise<void>) =>
  createBackendPlugin({
    pluginId: 'stageflow',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          lifecycle: coreServices.lifecycle,
          database: coreServices.database,
          cache: coreServices.cache,
        },
        async init(deps) {
          useReadiness(deps);
          await rest();
        },
      });
    },
  });

describe('readiness', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('tells a lost database and a lost cache from a healthy replica', async () => {
    const knex = await databases.init('POSTGRES_15');
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const viaProxy = knexFactory({
      client: 'pg',
      connection: {
        ...(knex.client.config.connection as object),
        host: '127.0.0.1',
        port: proxy.port,
      },
      acquireConnectionTimeout: 500,
    });
    const shared = CacheManager.fromConfig(
      mockServices.rootConfig({ data: {} }),
    ).forPlugin('stageflow');
    let cacheDown = false;
    const cache = ResilientCache.wrap(
      {
        get: key =>
          cacheDown
            ? Promise.reject(new Error('ECONNREFUSED'))
            : shared.get(key),
        set: (key, value, options) =>
          cacheDown
            ? Promise.reject(new Error('ECONNREFUSED'))
            : shared.set(key, value, options),
        delete: key => shared.delete(key),
        withOptions: () => shared,
      },
      { logger: mockServices.logger.mock(), retryAfterMs: 60_000 },
    );
    const backend = await startTestBackend({
      features: [
        plugin(async () => {}),
        mockServices.database.factory({ knex: viaProxy }),
        createServiceFactory({
          service: coreServices.cache,
          deps: {},
          factory: () => cache,
        }),
      ],
    });
    try {
      const ok = await request(backend.server).get('/api/stageflow/readiness');
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        status: 'ok',
        checks: {
          start: { status: 'ok' },
          database: { status: 'ok' },
          cache: { status: 'ok' },
        },
      });

      proxy.cut();
      cacheDown = true;
      await cache.get('anything');
      const degraded = await request(backend.server).get(
        '/api/stageflow/readiness',
      );
      // Still serving (stale, slower): in service, but not in the dark.
      expect(degraded.status).toBe(200);
      expect(degraded.body.status).toBe('degraded');
      expect(degraded.body.checks.database.status).toBe('error');
      expect(degraded.body.checks.cache).toMatchObject({
        status: 'error',
        message: expect.stringContaining('ECONNREFUSED'),
      });
      const strict = await request(backend.server).get(
        '/api/stageflow/readiness?strict=true',
      );
      expect(strict.status).toBe(503);

      proxy.restore();
      const back = await request(backend.server).get(
        '/api/stageflow/readiness',
      );
      expect(back.body.checks.database.status).toBe('ok');
    } finally {
      await backend.stop();
      await viaProxy.destroy();
      await proxy.close();
    }
  });

  it('answers 503 when the plugin failed to start, even if the backend goes on', async () => {
    const backend = await startTestBackend({
      features: [
        plugin(async () => {
          throw new Error('Migration table is already locked');
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              startup: {
                plugins: { stageflow: { onPluginBootFailure: 'continue' } },
              },
            },
          },
        }),
      ],
    });
    try {
      const res = await request(backend.server).get('/api/stageflow/readiness');
      // The platform answers for a plugin that failed to boot.
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({
        name: 'ServiceUnavailableError',
      });
    } finally {
      await backend.stop();
    }
  });
});
