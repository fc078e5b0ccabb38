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
});
