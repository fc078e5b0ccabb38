import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FLOW_PRESETS } from '@stageflow/plugin-stageflow-common';
import {
  DefaultGitService,
  DefaultRegistryService,
  DefaultReleaseService,
} from '@stageflow/plugin-stageflow-node';
import {
  DemoUpstreams,
  startDemoUpstreams,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import { SnapshotStore } from '../service/SnapshotStore';
import { DatabasePromotionLock } from './DatabasePromotionLock';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';

jest.setTimeout(180_000);

describe('DatabasePromotionLock', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function lockOn(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    // The migrations of this package create the lock table.
    await SnapshotStore.create({ getClient: async () => knex });
    return knex;
  }

  it.each(databases.eachSupportedId())(
    'runs holders of one key one after the other on %p',
    async databaseId => {
      const knex = await lockOn(databaseId);
      const replicaA = new DatabasePromotionLock(knex, { pollMs: 10 });
      const replicaB = new DatabasePromotionLock(knex, { pollMs: 10 });
      const log: string[] = [];
      const work = (name: string) => async () => {
        log.push(`${name} in`);
        await new Promise(r => setTimeout(r, 30));
        log.push(`${name} out`);
        return name;
      };
      const results = await Promise.all([
        replicaA.withLock('image#prod', work('a1')),
        replicaB.withLock('image#prod', work('b1')),
        replicaA.withLock('image#prod', work('a2')),
        replicaB.withLock('image#prod', work('b2')),
      ]);
      expect(results.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
      // Never two inside at once.
      for (let i = 0; i < log.length; i += 2) {
        expect(log[i].replace(' in', '')).toBe(log[i + 1].replace(' out', ''));
      }
      // A failing holder lets go of the lock.
      await expect(
        replicaA.withLock('image#prod', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await replicaB.withLock('image#prod', async () => 'next')).toBe(
        'next',
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'takes over the lease of a crashed holder once it expired on %p',
    async databaseId => {
      const knex = await lockOn(databaseId);
      await knex('stageflow_promotion_locks').insert({
        lock_key: 'image#prod',
        holder: 'crashed-replica',
        expires_at: Date.now() - 1,
      });
      const lock = new DatabasePromotionLock(knex, { pollMs: 10 });
      expect(await lock.withLock('image#prod', async () => 'taken')).toBe(
        'taken',
      );
      await knex('stageflow_promotion_locks').insert({
        lock_key: 'image#prod',
        holder: 'live-replica',
        expires_at: Date.now() + 60_000,
      });
      await expect(
        new DatabasePromotionLock(knex, { pollMs: 10, waitMs: 100 }).withLock(
          'image#prod',
          async () => 'never',
        ),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message:
          'Another promotion of image#prod is still running; try again later',
      });
    },
  );

  describe('20 concurrent promotions on two replicas (PostgreSQL, docker-registry)', () => {
    let upstreams: DemoUpstreams;
    beforeAll(async () => {
      upstreams = await startDemoUpstreams();
    });
    afterAll(() => upstreams?.stop());

    it('end on the highest version; the ones that lose are ConflictErrors', async () => {
      const knex = await lockOn('POSTGRES_15');
      const config = new ConfigReader(upstreams.config as any);
      const store = await SnapshotStore.create({ getClient: async () => knex });
      const phippy = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'phippy', annotations: upstreams.phippyAnnotations },
        spec: { type: 'website', owner: 'team-a' },
      };
      // Two replicas: their own clients and caches, one database.
      const replica = () =>
        DefaultReleaseService.create({
          catalog: catalogServiceMock({ entities: [phippy] }),
          permissions: mockServices.permissions(),
          auditor: mockServices.auditor.mock(),
          auth: mockServices.auth(),
          cache: mockServices.cache.mock(),
          git: DefaultGitService.fromConfig(config, {
            logger: mockServices.logger.mock(),
          }),
          registry: DefaultRegistryService.fromConfig(config),
          logger: mockServices.logger.mock(),
          config: {
            flows: { ...FLOW_PRESETS },
            defaultFlow: 'oneflow',
            cacheTtlSeconds: 60,
            claims: {},
          },
          history: {
            record: async change => void (await store.record(change)),
          },
          lock: new DatabasePromotionLock(knex, { pollMs: 20 }),
          announcer: { announce: async () => {} },
        });
      const replicas = [replica(), replica()];
      const versions = ['1.0.0', '1.1.0', '1.2.0', '1.2.1', '1.3.0'];
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          replicas[i % 2].promote(
            {
              target: { entityRef: 'component:default/phippy' },
              stage: 'prod',
              version: versions[(i * 3) % versions.length],
            },
            {
              credentials: mockCredentials.user('user:default/john.doe'),
              taskId: `task-${i}`,
            },
          ),
        ),
      );
      const rejected = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      for (const failure of rejected) {
        expect(failure.reason.name).toBe('ConflictError');
        expect(failure.reason.message).toMatch(
          /Stage prod runs 1\.\d\.\d, newer than 1\.\d\.\d/,
        );
      }
      expect(rejected.length).toBeGreaterThan(0);

      const sha = execFileSync('git', ['rev-parse', 'v1.3.0^{commit}'], {
        cwd: upstreams.phippyRepository,
        encoding: 'utf8',
      }).trim();
      const digestOf = async (repository: string, tag: string) =>
        (
          await upstreams.registryClient.resolve({
            registry: upstreams.registry.host,
            repository,
            tag,
          })
        )?.digest;
      expect(await digestOf('acme/phippy/stable', 'latest')).toBe(
        await digestOf('acme/phippy/release-candidate', sha),
      );
      // What each successful promotion saw before it is what the one
      // before it wrote: no write was based on a stale plan.
      const transitions = await store.transitions('component:default/phippy');
      expect(transitions[0]).toMatchObject({
        stage: 'prod',
        toVersion: '1.3.0',
      });
    });
  });
});
