import { TestDatabases } from '@backstage/backend-test-utils';
import { buildAppEntities } from '@stageflow/plugin-stageflow-common';
import { ContributionsStore } from './ContributionsStore';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';

jest.setTimeout(60_000);

describe('ContributionsStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'keeps the contributions across a restart on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = { getClient: async () => knex };
      const entities = buildAppEntities({
        appId: 'zeus',
        appType: 'ap',
        stages: ['dev', 'prd'],
        owner: 'group:team-b',
        project: '3000',
      } as any);
      const store = await ContributionsStore.create({ database });
      await store.replaceContribution({
        contributor: 'devops',
        entities,
      } as any);

      // A restarted backend opens the store again (migrations run again).
      const restarted = await ContributionsStore.create({ database });
      const read = await restarted.getContribution('devops');
      expect(read.entities.map((e: any) => e.metadata.name)).toEqual(
        entities.map((e: any) => e.metadata.name).sort(),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'takes the same set from two replicas at once without an error on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = { getClient: async () => knex };
      const set = (stages: string[]) =>
        buildAppEntities({
          appId: 'zeus',
          appType: 'ap',
          stages,
          owner: 'group:team-b',
          project: '3000',
        } as any);
      const replicaA = await ContributionsStore.create({ database });
      const replicaB = await ContributionsStore.create({ database });
      await replicaA.replaceContribution({
        contributor: 'devops',
        entities: set(['dev']),
      });
      for (let round = 0; round < 10; round++) {
        const entities = set(round % 2 ? ['dev', 'int', 'prd'] : ['dev']);
        const results = await Promise.allSettled([
          replicaA.replaceContribution({ contributor: 'devops', entities }),
          replicaB.replaceContribution({ contributor: 'devops', entities }),
        ]);
        expect(results.map(r => r.status)).toEqual(['fulfilled', 'fulfilled']);
        const stored = await replicaA.getContribution('devops');
        expect(stored.entities.map((e: any) => e.metadata.name).sort()).toEqual(
          entities.map((e: any) => e.metadata.name).sort(),
        );
      }
    },
  );

  it.each(databases.eachSupportedId())(
    "never takes another contributor's entity on %p",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await ContributionsStore.create({
        database: { getClient: async () => knex },
      });
      const entities = buildAppEntities({
        appId: 'hera',
        appType: 'ap',
        stages: ['dev'],
        owner: 'group:team-b',
        project: '3000',
      } as any);
      await store.replaceContribution({ contributor: 'rancher', entities });
      await expect(
        store.replaceContribution({ contributor: 'devops', entities }),
      ).rejects.toThrow(/already contributed by another contributor/);
      expect((await store.getContribution('rancher')).entities).toHaveLength(
        entities.length,
      );
      expect((await store.getContribution('devops')).entities).toEqual([]);
    },
  );
});
