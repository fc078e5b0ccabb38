import {
  ServiceFactoryTester,
  mockServices,
} from '@backstage/backend-test-utils';
import {
  startTcpProxy,
  TcpProxy,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { randomUUID } from 'node:crypto';
import { resilientCacheServiceFactory } from './resilientCacheServiceFactory';

jest.setTimeout(30_000);

const CUT_MS = 3000;

async function replica(port: number, namespace: string) {
  const tester = ServiceFactoryTester.from(resilientCacheServiceFactory, {
    dependencies: [
      mockServices.rootConfig.factory({
        data: {
          backend: {
            cache: {
              store: 'redis',
              connection: `redis://127.0.0.1:${port}`,
              redis: { client: { namespace } },
            },
          },
        },
      }),
    ],
  });
  return tester.getSubject('stageflow');
}

async function eventually<T>(read: () => Promise<T>, expected: T) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await read()) === expected) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  expect(await read()).toBe(expected);
}

describe('resilientCacheServiceFactory', () => {
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  });
  afterAll(() => proxy.close());

  it.each(['refuse', 'blackhole'] as const)(
    'answers throughout a Redis outage (%s) and reads Redis again after it, without a restart',
    async mode => {
      const namespace = `test-${randomUUID()}`;
      // Replica A reaches Redis through the proxy the test cuts; B directly.
      const a = await replica(proxy.port, namespace);
      const b = await replica(6379, namespace);
      await a.set('digest', 'sha256:aaa');
      await eventually(() => b.get('digest'), 'sha256:aaa');

      proxy.cut(mode);
      const latencies: number[] = [];
      const started = Date.now();
      await b.set('written-during-outage', 'v2');
      while (Date.now() - started < CUT_MS) {
        const before = Date.now();
        // What A knows answers; what it does not is a miss, never a hang.
        expect(await a.get('digest')).toBe('sha256:aaa');
        expect(await a.get('written-during-outage')).toBeUndefined();
        latencies.push(Date.now() - before);
      }
      proxy.restore();

      // No restart: the client reconnected by itself.
      await eventually(() => a.get('written-during-outage'), 'v2');
      latencies.sort((x, y) => x - y);
      // eslint-disable-next-line no-console
      console.log(
        `Redis cut ${CUT_MS} ms (${mode}): ${
          latencies.length
        } pairs of reads answered, median ${
          latencies[Math.floor(latencies.length / 2)]
        } ms, max ${latencies[latencies.length - 1]} ms; back ${
          Date.now() - started - CUT_MS
        } ms after the restore`,
      );
    },
  );
});
