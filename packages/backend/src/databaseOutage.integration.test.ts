import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import stageflowPlugin from '@stageflow/plugin-stageflow-backend';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { startTcpProxy } from '@stageflow/plugin-stageflow-node/testUtils';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';

/**
 * The catalog and Stageflow on one PostgreSQL behind a proxy the test cuts:
 * with the database gone, `/stages` and `/overview` answer from what the
 * cache knows (the entity or the list this caller read before, the facts),
 * marked stale, instead of a 500; after the cut, fresh again.
 */
jest.setTimeout(120_000);

const prefix = `sf_dbcut_${randomUUID().slice(0, 8)}_`;
const STAGES = '/api/stageflow/v1/entities/component/default/phippy/stages';

describe('a PostgreSQL outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-db-outage-'));

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
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

  it('leaves /stages, /history and /overview answering from the cache, marked stale', async () => {
    const demo = demoStageflowConfig(await generateDemoData(join(dir, 'demo')));
    const entities = join(dir, 'phippy.yaml');
    writeFileSync(
      entities,
      JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'phippy',
          annotations: {
            'stageflow.io/flow': 'oneflow',
            'stageflow.io/image': 'registry.acme.example/acme/phippy',
            'stageflow.io/git-url': 'https://git.acme.example/acme/phippy.git',
          },
        },
        spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
      }),
    );
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        stageflowPlugin,
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
            catalog: {
              locations: [{ type: 'file', target: entities }],
              rules: [{ allow: ['Component'] }],
            },
            stageflow: demo,
          },
        }),
      ],
    });
    const user = mockCredentials.user.header('user:default/guest');
    const stages = () =>
      request(backend.server).get(STAGES).set('Authorization', user);
    try {
      let fresh = await stages();
      for (let i = 0; i < 300 && fresh.status !== 200; i++) {
        await new Promise(resolve => setTimeout(resolve, 100));
        fresh = await stages();
      }
      expect(fresh.status).toBe(200);
      expect(fresh.body.stale).toBeUndefined();
      expect(
        fresh.body.stages.map((s: any) => [s.name, s.status, s.version]),
      ).toEqual([
        ['staging', 'ok', expect.stringMatching(/^v1\.3\.0-2-g/)],
        ['prod', 'ok', '1.2.1'],
      ]);

      const history = () =>
        request(backend.server)
          .get(STAGES.replace(/stages$/, 'history'))
          .set('Authorization', user);
      const historyBefore = await history();
      expect(historyBefore.status).toBe(200);
      expect(historyBefore.body.stale).toBeUndefined();

      const overview = () =>
        request(backend.server)
          .get('/api/stageflow/v1/overview')
          .set('Authorization', user);
      const overviewBefore = await overview();
      expect(overviewBefore.status).toBe(200);
      expect(overviewBefore.body.items.map((i: any) => i.entityRef)).toEqual([
        'component:default/phippy',
      ]);

      proxy.cut();
      const during = await stages();
      expect(during.status).toBe(200);
      expect(during.body).toEqual({
        ...fresh.body,
        stale: {
          asOf: expect.any(String),
          reason: expect.stringContaining('Catalog unavailable'),
        },
      });

      // History comes from the database: its last known answer, marked stale.
      const historyDuring = await history();
      expect(historyDuring.status).toBe(200);
      expect(historyDuring.body.transitions).toEqual(
        historyBefore.body.transitions,
      );
      expect(historyDuring.body.stale).toEqual({
        asOf: expect.any(String),
        reason: expect.any(String),
      });

      // The overview: the list this caller saw last, marked stale.
      const overviewDuring = await overview();
      expect(overviewDuring.status).toBe(200);
      expect(overviewDuring.body.items).toEqual(overviewBefore.body.items);
      expect(overviewDuring.body.stale).toEqual({
        asOf: expect.any(String),
        reason: expect.any(String),
      });

      proxy.restore();
      let back = await stages();
      for (
        let i = 0;
        i < 100 && (back.status !== 200 || back.body.stale);
        i++
      ) {
        await new Promise(resolve => setTimeout(resolve, 100));
        back = await stages();
      }
      expect(back.body).toEqual(fresh.body);
    } finally {
      await backend.stop();
      await proxy.close();
    }
  });
});
