import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FlowDefinition,
  STAGEFLOW_IMAGE_ANNOTATION,
} from '@stageflow/plugin-stageflow-common';
import {
  StageResolver,
  StageflowFacts,
  readComponentTarget,
} from '@stageflow/plugin-stageflow-node';
import { SnapshotStore } from './SnapshotStore';

const SNAPSHOT_CONCURRENCY = 8;

export interface SnapshotOptions {
  catalog: CatalogService;
  auth: AuthService;
  resolver: StageResolver;
  facts: StageflowFacts;
  store: SnapshotStore;
  flows: Record<string, FlowDefinition>;
  defaultFlow: string;
  logger: LoggerService;
}

/**
 * Observes every annotated component once and records what changed. One
 * component failing is logged and does not stop the others.
 */
export async function snapshotAll(
  options: SnapshotOptions,
  now: () => Date = () => new Date(),
): Promise<{ components: number; transitions: number; failed: number }> {
  const { catalog, auth, resolver, facts, store, logger } = options;
  const credentials = await auth.getOwnServiceCredentials();
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: 'Component',
        [`metadata.annotations.${STAGEFLOW_IMAGE_ANNOTATION}`]:
          CATALOG_FILTER_EXISTS,
      },
    },
    { credentials },
  );
  let transitions = 0;
  let failed = 0;
  const snapshotOne = async (entity: (typeof items)[number]) => {
    const entityRef = stringifyEntityRef(entity);
    try {
      const target = readComponentTarget(entity, options);
      const { stages } = await resolver.getStages(target);
      const revisionDates: Record<string, string | undefined> = {};
      if (target.repository) {
        for (const stage of stages) {
          if (stage.revision && !(stage.revision in revisionDates)) {
            revisionDates[stage.revision] = await facts
              .commitDate(target.repository, stage.revision)
              .catch(() => undefined);
          }
        }
      }
      const recorded = await store.record({
        entityRef,
        flow: target.flow.name,
        stages,
        observedAt: now(),
        revisionDates,
      });
      transitions += recorded.length;
    } catch (error) {
      failed += 1;
      logger.warn('Stageflow snapshot of a component failed', {
        entityRef,
        error: (error as Error).message,
      });
    }
  };
  // A few components at a time: upstream latency overlaps, and a host is
  // never flooded.
  const queue = [...items];
  await Promise.all(
    Array.from(
      { length: Math.min(SNAPSHOT_CONCURRENCY, queue.length) },
      async () => {
        for (let entity = queue.shift(); entity; entity = queue.shift()) {
          await snapshotOne(entity);
        }
      },
    ),
  );
  return { components: items.length, transitions, failed };
}

/**
 * Snapshots run through the platform scheduler, so that with several
 * backend replicas each run happens on one of them only.
 */
export async function scheduleSnapshots(
  options: SnapshotOptions & {
    scheduler: SchedulerService;
    frequencyMinutes: number;
  },
): Promise<void> {
  await options.scheduler.scheduleTask({
    id: 'stageflow-snapshots',
    frequency: { minutes: options.frequencyMinutes },
    timeout: { minutes: Math.max(10, options.frequencyMinutes) },
    initialDelay: { seconds: 10 },
    fn: async () => {
      const result = await snapshotAll(options);
      options.logger.info('Stageflow snapshot done', result);
    },
  });
}
