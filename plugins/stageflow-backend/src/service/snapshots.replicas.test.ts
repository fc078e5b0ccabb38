import { LifecycleService } from '@backstage/backend-plugin-api';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FLOW_PRESETS, StageInfo } from '@stageflow/plugin-stageflow-common';
import { startTcpProxy } from '@stageflow/plugin-stageflow-node/testUtils';
import knexFactory, { Knex } from 'knex';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { SnapshotStore } from './SnapshotStore';
import { scheduleSnapshots, snapshotAll, snapshotTiming } from './snapshots';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';

jest.setTimeout(60_000);

// 3 s between snapshots: a lease of 1.5 s. A user's default stays 5 min.
const FREQUENCY_MINUTES = 0.05;
const { intervalMs } = snapshotTiming(FREQUENCY_MINUTES);

function component(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'stageflow.io/flow': 'oneflow',
        'stageflow.io/image': `registry.acme.example/acme/${name}`,
      },
    },
    spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
  };
}

const stage = (name: string, digest: string): StageInfo =>
  ({ name, digest, status: 'ok' } as StageInfo);

/** A replica in this process: its own scheduler, lifecycle and logger. */
async function replica(options: {
  knex: Knex;
  entities: Entity[];
  getStages?: () => Promise<{ stages: StageInfo[] }>;
}) {
  const store = await SnapshotStore.create({
    getClient: async () => options.knex,
  });
  const scheduler = mockServices.scheduler();
  const logger = mockServices.logger.mock();
  const shutdownHooks: Array<() => Promise<void> | void> = [];
  const lifecycle = {
    addShutdownHook: (hook: () => Promise<void> | void) =>
      shutdownHooks.push(hook),
    addStartupHook: () => {},
  } as unknown as LifecycleService;
  await scheduleSnapshots({
    scheduler,
    lifecycle,
    frequencyMinutes: FREQUENCY_MINUTES,
    catalog: catalogServiceMock({ entities: options.entities }),
    auth: mockServices.auth(),
    resolver: {
      getStages:
        options.getStages ??
        (async () => ({ stages: [stage('prod', 'sha256:1')] })),
    } as any,
    facts: {} as any,
    store,
    flows: { ...FLOW_PRESETS },
    defaultFlow: 'oneflow',
    logger,
  });
  const done = () =>
    logger.info.mock.calls.filter(([message]) =>
      String(message).startsWith('Stageflow snapshot done'),
    );
  // The platform scheduler ticks every tickMs; the test ticks by hand.
  let ticking = true;
  const ticks = (async () => {
    while (ticking) {
      scheduler.triggerTask('stageflow-snapshots-tick').catch(() => {});
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  })();
  return {
    store,
    logger,
    done,
    /** Stops ticking; the hooks start at once, as the platform's do. */
    async shutdown() {
      ticking = false;
      for (const hook of shutdownHooks) {
        await hook();
      }
      await ticks;
    },
  };
}

async function until(condition: () => boolean, what: string) {
  for (let waited = 0; waited < 20_000; waited += 50) {
    if (condition()) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('snapshots across replicas', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('a replica killed mid-snapshot delays the next snapshot by less than one interval', async () => {
    const knex = await databases.init('POSTGRES_15');
    await SnapshotStore.create({ getClient: async () => knex });
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        join(__dirname, '../__testUtils__/snapshotReplica.ts'),
      ],
      {
        env: {
          ...process.env,
          STAGEFLOW_TEST_DB: JSON.stringify(knex.client.config.connection),
          STAGEFLOW_TEST_FREQUENCY_MINUTES: String(FREQUENCY_MINUTES),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let claimed = false;
    child.stdout!.on('data', chunk => {
      claimed ||= String(chunk).includes('claimed');
    });
    await until(() => claimed, 'the child replica to claim the snapshot');

    const survivor = await replica({ knex, entities: [component('phippy')] });
    // While the child lives, it holds the run.
    await new Promise(resolve => setTimeout(resolve, intervalMs / 2));
    expect(survivor.done()).toHaveLength(0);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const killedAt = Date.now();
    await until(() => survivor.done().length > 0, 'the next snapshot');
    const delay = Date.now() - killedAt;
    // eslint-disable-next-line no-console
    console.log(
      `Replica killed mid-snapshot: next snapshot ${delay} ms later (interval ${intervalMs} ms)`,
    );
    expect(delay).toBeLessThan(intervalMs);
    expect(survivor.done()[0][1]).toMatchObject({ components: 1, failed: 0 });
    await survivor.shutdown();
  });

  it('shutdown stops the run between two components and hands the rest to another replica at once', async () => {
    const knex = await databases.init('POSTGRES_15');
    const entities = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
      component,
    );
    let release: () => void = () => {};
    const slow = new Promise<void>(resolve => {
      release = resolve;
    });
    let inFlight = 0;
    const first = await replica({
      knex,
      entities,
      getStages: async () => {
        inFlight += 1;
        await slow;
        return { stages: [stage('prod', 'sha256:1')] };
      },
    });
    await until(() => inFlight === 8, 'the first replica to be mid-snapshot');
    const stopping = first.shutdown();
    release();
    await stopping;
    expect(first.done()[0][1]).toMatchObject({ stopped: 'aborted' });

    const second = await replica({ knex, entities });
    // Due at once, not an interval later: no lease to wait for.
    await until(() => second.done().length > 0, 'the next replica');
    const states = await second.store.latestStates(
      entities.map(e => `component:default/${e.metadata.name}`),
    );
    expect(states.size).toBe(entities.length);
    await second.shutdown();
  });

  it('a snapshot that loses the database stops at once and says so once', async () => {
    const knex = await databases.init('POSTGRES_15');
    await SnapshotStore.create({ getClient: async () => knex });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const connection = knex.client.config.connection;
    const cut = knexFactory({
      client: 'pg',
      connection: { ...connection, host: '127.0.0.1', port: proxy.port },
      acquireConnectionTimeout: 2000,
    });
    try {
      const store = new SnapshotStore(cut);
      const logger = mockServices.logger.mock();
      const entities = Array.from({ length: 200 }, (_, i) =>
        component(`c${i}`),
      );
      let resolved = 0;
      const result = await snapshotAll({
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        resolver: {
          getStages: async () => {
            resolved += 1;
            if (resolved === 20) {
              proxy.cut();
            }
            return { stages: [stage('prod', `sha256:${resolved}`)] };
          },
        } as any,
        facts: {} as any,
        store,
        flows: { ...FLOW_PRESETS },
        defaultFlow: 'oneflow',
        logger,
      });
      expect(result.stopped).toBe('database');
      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(logger.warn).not.toHaveBeenCalled();
      // Stopped early: no component resolved after the concurrent few.
      expect(resolved).toBeLessThan(40);
    } finally {
      await cut.destroy();
      await proxy.close();
    }
  });

  it('with the database cut, a replica says so once an interval, not once a tick', async () => {
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
    const r = await replica({ knex: viaProxy, entities: [component('a')] });
    try {
      await until(() => r.done().length > 0, 'the first snapshot');
      proxy.cut();
      // Twenty ticks of the test's hand, all within one interval.
      await new Promise(resolve => setTimeout(resolve, 2000));
      expect(
        r.logger.warn.mock.calls.length + r.logger.error.mock.calls.length,
      ).toBe(1);
    } finally {
      await r.shutdown();
      await viaProxy.destroy();
      await proxy.close();
    }
  });
});
