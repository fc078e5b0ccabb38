import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import stageflowPlugin from '@stageflow/plugin-stageflow-backend';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { startTcpProxy } from '@stageflow/plugin-stageflow-node/testUtils';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { resilientCacheServiceFactory } from './cache/resilientCacheServiceFactory';

/**
 * The Stageflow backend on Redis behind a proxy the test cuts: `/stages`
 * answers throughout the outage, and the replica reads Redis again after
 * it, without a restart.
 */
jest.setTimeout(90_000);

const CUT_MS = 3000;

describe('a Redis outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-redis-outage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('costs speed, never answers', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    const demo = demoStageflowConfig(await generateDemoData(join(dir, 'demo')));
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        resilientCacheServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              cache: {
                store: 'redis',
                connection: `redis://127.0.0.1:${proxy.port}`,
                redis: { client: { namespace: `test-${randomUUID()}` } },
              },
            },
            // A 1 s TTL instead of the default 60 s: the test needs the
            // moving facts read again (so Redis is asked) within seconds of
            // the outage starting, not a minute later. What is measured, a
            // card answered during the outage, is the same at any TTL.
            stageflow: { ...demo, cache: { ttlSeconds: 1 } },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'phippy',
                annotations: {
                  'stageflow.io/flow': 'oneflow',
                  'stageflow.io/image': 'registry.acme.example/acme/phippy',
                  'stageflow.io/git-url':
                    'https://git.acme.example/acme/phippy.git',
                },
              },
              spec: {
                type: 'website',
                owner: 'team-a',
                lifecycle: 'production',
              },
            },
          ],
        }),
      ],
    });
    const stages = async () => {
      const started = Date.now();
      const res = await request(backend.server)
        .get('/api/stageflow/v1/entities/component/default/phippy/stages')
        .set('Authorization', mockCredentials.user.header());
      return { res, ms: Date.now() - started };
    };
    const cacheCheck = async () =>
      (await request(backend.server).get('/api/stageflow/readiness')).body
        .checks.cache.status;
    try {
      const before = await stages();
      expect(before.res.status).toBe(200);
      const prod = before.res.body.stages.find((s: any) => s.name === 'prod');
      expect(prod).toMatchObject({ version: '1.2.1' });

      proxy.cut();
      const during: number[] = [];
      const cutAt = Date.now();
      while (Date.now() - cutAt < CUT_MS) {
        const { res, ms } = await stages();
        expect(res.status).toBe(200);
        expect(res.body.stages.find((s: any) => s.name === 'prod')).toEqual(
          prod,
        );
        during.push(ms);
      }
      expect(await cacheCheck()).toBe('error');
      proxy.restore();
      const restoredAt = Date.now();
      while (
        (await cacheCheck()) !== 'ok' &&
        Date.now() - restoredAt < 20_000
      ) {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      expect(await cacheCheck()).toBe('ok');
      const back = Date.now() - restoredAt;
      const after = await stages();
      expect(after.res.status).toBe(200);
      during.sort((a, b) => a - b);
      // eslint-disable-next-line no-console
      console.log(
        `Redis cut ${CUT_MS} ms: ${
          during.length
        } /stages answers, all 200, median ${
          during[Math.floor(during.length / 2)]
        } ms, max ${during[during.length - 1]} ms (before the cut ${
          before.ms
        } ms, after ${
          after.ms
        } ms); Redis read again ${back} ms after the restore`,
      );
    } finally {
      await backend.stop();
      await proxy.close();
    }
  });
});
