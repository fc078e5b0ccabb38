import { CacheManager } from '@backstage/backend-defaults/cache';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { StageInfo } from '@stageflow/plugin-stageflow-common';
import { ResilientCache } from '@stageflow/plugin-stageflow-node';
import { startTcpProxy } from '@stageflow/plugin-stageflow-node/testUtils';
import knexFactory from 'knex';
import { SnapshotStore } from './SnapshotStore';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';

jest.setTimeout(60_000);

describe('SnapshotStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('records a component in one go: its stages, their changes, and drops the stages its flow lost', async () => {
    const knex = await databases.init('POSTGRES_15');
    const store = await SnapshotStore.create({ getClient: async () => knex });
    const entityRef = 'component:default/phippy';
    const stage = (name: string, digest: string) =>
      ({ name, digest, status: 'ok' } as StageInfo);
    await store.record({
      entityRef,
      flow: 'oneflow',
      stages: [stage('dev', 'sha256:1'), stage('int', 'sha256:2')],
      observedAt: new Date('2026-12-01T10:00:00Z'),
    });
    const changed = await store.record({
      entityRef,
      flow: 'oneflow',
      stages: [stage('dev', 'sha256:3'), stage('int', 'sha256:2')],
      observedAt: new Date('2026-12-01T10:05:00Z'),
    });
    expect(
      changed.map(t => `${t.stage}:${t.fromDigest}->${t.toDigest}`),
    ).toEqual(['dev:sha256:1->sha256:3']);
    await store.record({
      entityRef,
      flow: 'oneflow',
      stages: [stage('dev', 'sha256:3')],
      observedAt: new Date('2026-12-01T10:10:00Z'),
    });
    const states = await store.latestStates([entityRef]);
    expect(states.get(entityRef)?.stages.map(s => s.name)).toEqual(['dev']);
    expect(await store.transitions(entityRef)).toHaveLength(3);
  });

  it('answers history and states from the last known read, marked stale, while PostgreSQL is cut', async () => {
    const knex = await databases.init('POSTGRES_15');
    await SnapshotStore.create({ getClient: async () => knex });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const viaProxy = knexFactory({
      client: 'pg',
      connection: {
        ...(knex.client.config.connection as object),
        host: '127.0.0.1',
        port: proxy.port,
      },
      acquireConnectionTimeout: 1000,
    });
    const cache = ResilientCache.wrap(
      CacheManager.fromConfig(mockServices.rootConfig({ data: {} })).forPlugin(
        'stageflow',
      ),
      { logger: mockServices.logger.mock() },
    );
    try {
      const store = new SnapshotStore(viaProxy, cache);
      const entityRef = 'component:default/phippy';
      await store.record({
        entityRef,
        flow: 'oneflow',
        stages: [
          { name: 'prod', digest: 'sha256:1', status: 'ok' } as StageInfo,
        ],
        observedAt: new Date(),
      });
      const fresh = await store.readTransitions(entityRef, { limit: 500 });
      expect(fresh.stale).toBeUndefined();
      expect(fresh.transitions).toHaveLength(1);
      const states = await store.readLatestStates([entityRef]);
      expect(states.states.get(entityRef)?.stages).toHaveLength(1);

      proxy.cut();
      const stale = await store.readTransitions(entityRef, { limit: 500 });
      expect(stale).toMatchObject({
        transitions: fresh.transitions,
        stale: { asOf: expect.any(String), reason: 'Database unavailable' },
      });
      const staleStates = await store.readLatestStates([entityRef]);
      expect(staleStates.stale).toBeDefined();
      expect(staleStates.states.get(entityRef)).toEqual(
        states.states.get(entityRef),
      );
      // Nothing is invented for what was never read.
      await expect(
        store.readTransitions('component:default/goldie'),
      ).rejects.toThrow();
    } finally {
      proxy.restore();
      await viaProxy.destroy();
      await proxy.close();
    }
  });
});
