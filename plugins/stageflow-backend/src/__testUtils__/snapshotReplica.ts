/*
 * A replica in a process of its own, for the tests that kill one: it claims
 * the snapshot run on the database named by STAGEFLOW_TEST_DB (a knex
 * connection, JSON), prints "claimed" once its snapshot reads the catalog,
 * and then waits there for ever, renewing its lease like any live replica,
 * until the test kills it.
 */
import { mockServices } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { SnapshotStore } from '../service/SnapshotStore';
import { scheduleSnapshots } from '../service/snapshots';

async function main() {
  const knex = knexFactory({
    client: 'pg',
    connection: JSON.parse(process.env.STAGEFLOW_TEST_DB!),
  });
  const store = await SnapshotStore.create({ getClient: async () => knex });
  const scheduler = mockServices.scheduler();
  await scheduleSnapshots({
    scheduler,
    frequencyMinutes: Number(process.env.STAGEFLOW_TEST_FREQUENCY_MINUTES),
    catalog: {
      getEntities: () => {
        process.stdout.write('claimed\n');
        return new Promise(() => {});
      },
    } as any,
    auth: mockServices.auth(),
    resolver: {} as any,
    facts: {} as any,
    store,
    flows: {},
    defaultFlow: 'oneflow',
    logger: mockServices.rootLogger({ level: 'none' }),
  });
  await scheduler.triggerTask('stageflow-snapshots-tick');
}

main().catch(error => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
