import {
  coreServices,
  createServiceFactory,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { freePort } from '@stageflow/plugin-stageflow-node/testUtils';
import { stageflowPlugin } from '../src/plugin';

/** The Stageflow plugin running in a test backend on 127.0.0.1. */
export interface StageflowBackend {
  /** `http://127.0.0.1:<port>/api/stageflow` */
  baseUrl: string;
  /** Runs a task the plugin scheduled (e.g. `stageflow-snapshots`) now. */
  runTask(id: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A scheduler that only runs a task when asked: no timer fires during a
 * measurement, and the snapshot can be timed from start to end.
 */
function manualScheduler() {
  const tasks = new Map<string, SchedulerServiceTaskInvocationDefinition>();
  const factory = createServiceFactory({
    service: coreServices.scheduler,
    deps: {},
    factory: () => ({
      async scheduleTask(task) {
        tasks.set(task.id, task);
      },
      createScheduledTaskRunner(schedule) {
        return {
          run: async task => {
            tasks.set(task.id, { ...task, ...schedule });
          },
        };
      },
      async triggerTask(id) {
        await runTask(id);
      },
      async cancelTask() {},
      async getScheduledTasks() {
        return [...tasks.keys()].map(id => ({
          id,
          scope: 'global' as const,
          settings: { version: 1 },
        }));
      },
    }),
  });
  async function runTask(id: string) {
    const task = tasks.get(id);
    if (!task) {
      throw new Error(`No task ${id} was scheduled`);
    }
    await task.fn(new AbortController().signal);
  }
  return { factory, runTask };
}

/**
 * Starts the whole plugin in a backend bound to 127.0.0.1, with the
 * platform's memory cache, in-memory SQLite and default root HTTP router,
 * the test doubles of `startTestBackend` for auth, logging and the catalog
 * (holding `entities`), and the node library's default git and registry
 * services configured from `config`. (`startTestBackend` itself listens on
 * every interface and does not let the root HTTP router be replaced.)
 */
export async function startStageflowBackend(options: {
  config: JsonObject;
  entities: Entity[];
  /** The platform cache's config (default: memory), e.g. Redis to restart on. */
  cache?: JsonObject;
  /** Adds the events backend and its GitHub module (webhooks). */
  webhooks?: boolean;
}): Promise<StageflowBackend> {
  const port = await freePort();
  const scheduler = manualScheduler();
  const backend = createBackend();
  backend.add(stageflowPlugin);
  backend.add(
    mockServices.rootConfig.factory({
      data: {
        ...options.config,
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { host: '127.0.0.1', port },
          cache: options.cache ?? { store: 'memory' },
          database: { client: 'better-sqlite3', connection: ':memory:' },
        },
      },
    }),
  );
  backend.add(
    mockServices.rootLogger.factory({
      level: (process.env.LOG_LEVEL as 'warn' | undefined) ?? 'none',
    }),
  );
  backend.add(mockServices.auth.factory());
  backend.add(mockServices.httpAuth.factory());
  backend.add(mockServices.userInfo.factory());
  backend.add(mockServices.auditor.factory());
  backend.add(scheduler.factory);
  backend.add(catalogServiceMock.factory({ entities: options.entities }));
  if (options.webhooks) {
    backend.add(eventsServiceFactory);
    backend.add(import('@backstage/plugin-events-backend'));
    backend.add(import('@backstage/plugin-events-backend-module-github'));
  }
  await backend.start();
  return {
    baseUrl: `http://127.0.0.1:${port}/api/stageflow`,
    runTask: scheduler.runTask,
    stop: () => backend.stop(),
  };
}
