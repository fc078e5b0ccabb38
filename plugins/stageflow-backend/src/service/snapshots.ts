import {
  AuthService,
  LifecycleService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
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
import { randomUUID } from 'node:crypto';
import { SnapshotStore } from './SnapshotStore';

// Components resolved and recorded side by side; a shutdown or a lost
// database stops the run within these few.
const SNAPSHOT_CONCURRENCY = 8;

// Components whose upstream facts are read ahead of their resolution, at
// most this many at a time: their reads overlap (and their GitHub reads
// share GraphQL queries), so that the resolution finds them in the cache.
// A stop ends the read-ahead too. (Releases and branch heads of every
// GitHub component are read before, all at once: prefetchGithubFacts.)
const READ_AHEAD = 48;

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

/** Why a snapshot ended before observing every component. */
export type SnapshotStop = 'database' | 'aborted';

/** The read-ahead's resolver logs nothing: the resolution reports. */
const quietLogger: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return quietLogger;
  },
};

/**
 * Reads what resolving a component reads (its releases and branch heads,
 * its stage images, their configs and candidates, the comparisons between
 * stages and the dates of the stage revisions) into the facts' cache. A
 * failure is left to the component's own resolution, which reads again and
 * reports it.
 */
async function readAhead(
  entity: Entity,
  resolver: StageResolver,
  options: Pick<SnapshotOptions, 'facts' | 'flows' | 'defaultFlow'>,
): Promise<void> {
  try {
    const target = readComponentTarget(entity, options);
    const { stages } = await resolver.getStages(target);
    const repository = target.repository;
    if (repository) {
      await Promise.all(
        stages.map(stage =>
          stage.revision
            ? options.facts
                .commitDate(repository, stage.revision)
                .catch(() => undefined)
            : undefined,
        ),
      );
    }
  } catch {
    // Read again, and reported, when the component is resolved.
  }
}

/**
 * The moving git facts (releases, branch heads) of every component on a
 * GitHub host, read all at once before the components are resolved: their
 * reads then share GraphQL queries fifty repositories at a time, instead
 * of the few that the read-ahead window would share (a steady snapshot
 * reads little else from GitHub). A failure here is left to the
 * component's own resolution, which reads again and reports it.
 */
async function prefetchGithubFacts(
  items: Entity[],
  options: Pick<SnapshotOptions, 'facts' | 'flows' | 'defaultFlow'>,
) {
  await Promise.all(
    items.map(async entity => {
      try {
        const target = readComponentTarget(entity, options);
        const repository = target.repository;
        if (repository?.type !== 'github') {
          return;
        }
        const branches = new Set(
          target.flow.stages.flatMap(stage =>
            'branch' in stage.expects ? [stage.expects.branch] : [],
          ),
        );
        await Promise.all([
          options.facts.releases(repository, target.flow.tagPattern),
          ...[...branches].map(branch =>
            options.facts.branchHead(repository, branch),
          ),
        ]);
      } catch {
        // Read again, and reported, when the component is resolved.
      }
    }),
  );
}

/**
 * Observes every annotated component once, least recently observed first,
 * and records what changed. One component failing is logged and does not
 * stop the others; losing the database stops the run at once, with one log
 * line. An aborted `signal` (shutdown, a lost lease) stops it between two
 * components, so nothing is half written and the next run continues with
 * what this one did not reach. The upstream facts of the components next
 * in line are read ahead of them, a bounded window that a stop ends too.
 */
export async function snapshotAll(
  options: SnapshotOptions,
  run: { now?: () => Date; signal?: AbortSignal } = {},
): Promise<{
  components: number;
  transitions: number;
  failed: number;
  stopped?: SnapshotStop;
}> {
  const { catalog, auth, resolver, facts, store, logger } = options;
  const now = run.now ?? (() => new Date());
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
  let stopped: SnapshotStop | undefined;
  const stopForDatabase = (error: unknown) => {
    if (!stopped) {
      stopped = 'database';
      logger.error(
        'Stageflow snapshot stopped: the database is unavailable; the next run continues',
        { error: (error as Error).message },
      );
    }
  };
  let queue: typeof items = [];
  try {
    const states = await store.latestStates(items.map(stringifyEntityRef));
    const observedAt = (entity: (typeof items)[number]) =>
      states.get(stringifyEntityRef(entity))?.observedAt ?? '';
    queue = [...items].sort((a, b) =>
      observedAt(a).localeCompare(observedAt(b)),
    );
  } catch (error) {
    stopForDatabase(error);
  }
  if (!stopped && !run.signal?.aborted) {
    await prefetchGithubFacts(queue, options);
  }
  const isStopped = () => Boolean(stopped) || Boolean(run.signal?.aborted);
  // The read-ahead runs at most READ_AHEAD components ahead of the
  // resolution; what it read is found by the resolution in the cache, or
  // joined while still in flight.
  const ahead = new Map<Entity, Promise<void>>();
  let nextAhead = 0;
  let resolving = 0;
  const readAheadResolver = new StageResolver(options.facts, quietLogger);
  const fillReadAhead = () => {
    while (
      !isStopped() &&
      nextAhead < queue.length &&
      nextAhead < resolving + READ_AHEAD
    ) {
      const entity = queue[nextAhead++];
      const read = readAhead(entity, readAheadResolver, options);
      ahead.set(entity, read);
      void read.then(() => {
        ahead.delete(entity);
      });
    }
  };
  let transitions = 0;
  let failed = 0;
  const snapshotOne = async (entity: (typeof items)[number]) => {
    const entityRef = stringifyEntityRef(entity);
    let observation: Parameters<SnapshotStore['record']>[0];
    try {
      const target = readComponentTarget(entity, options);
      await ahead.get(entity);
      const { stages } = await resolver.getStages(target);
      const repository = target.repository;
      const revisions = repository
        ? [...new Set(stages.flatMap(stage => stage.revision ?? []))]
        : [];
      const revisionDates: Record<string, string | undefined> =
        Object.fromEntries(
          await Promise.all(
            revisions.map(
              async revision =>
                [
                  revision,
                  await facts
                    .commitDate(repository!, revision)
                    .catch(() => undefined),
                ] as const,
            ),
          ),
        );
      observation = {
        entityRef,
        flow: target.flow.name,
        stages,
        observedAt: now(),
        revisionDates,
      };
    } catch (error) {
      failed += 1;
      logger.warn('Stageflow snapshot of a component failed', {
        entityRef,
        error: (error as Error).message,
      });
      return;
    }
    try {
      transitions += (await store.record(observation)).length;
    } catch (error) {
      stopForDatabase(error);
    }
  };
  // A few components at a time: upstream latency overlaps, and a host is
  // never flooded.
  fillReadAhead();
  await Promise.all(
    Array.from(
      { length: Math.min(SNAPSHOT_CONCURRENCY, queue.length) },
      async () => {
        while (!stopped) {
          if (run.signal?.aborted) {
            stopped = 'aborted';
            break;
          }
          if (resolving >= queue.length) {
            break;
          }
          const entity = queue[resolving++];
          fillReadAhead();
          await snapshotOne(entity);
        }
      },
    ),
  );
  // What was read ahead and is still in flight ends before the run does.
  await Promise.all(ahead.values());
  return {
    components: items.length,
    transitions,
    failed,
    ...(stopped ? { stopped } : {}),
  };
}

/**
 * How often each replica asks whether a snapshot is due, and how long a
 * replica's claim lasts without renewal: a replica that dies mid-snapshot
 * delays the next one by at most `leaseMs + tickMs`, which is at most one
 * interval.
 */
export function snapshotTiming(frequencyMinutes: number) {
  const intervalMs = frequencyMinutes * 60_000;
  const leaseMs = Math.min(30_000, intervalMs / 2);
  const tickMs = Math.min(5_000, intervalMs / 4);
  return { intervalMs, leaseMs, tickMs };
}

/**
 * Runs a snapshot every interval on one replica at a time. Each replica
 * ticks locally and claims the run through a lease in the plugin database
 * that the running replica renews; a replica that crashes stops renewing,
 * so another takes over once the lease lapses instead of after the
 * scheduler's task timeout. On shutdown the running snapshot stops between
 * two components and gives the lease back, due at once, so that another
 * replica continues.
 */
export async function scheduleSnapshots(
  options: SnapshotOptions & {
    scheduler: SchedulerService;
    frequencyMinutes: number;
    lifecycle?: LifecycleService;
  },
): Promise<void> {
  const { store, logger } = options;
  const { intervalMs, leaseMs, tickMs } = snapshotTiming(
    options.frequencyMinutes,
  );
  const holder = randomUUID();
  const shutdown = new AbortController();
  let running: Promise<void> | undefined;
  // After a run that failed or lost the database, this replica waits an
  // interval before trying again: one log line per interval, not per tick.
  let pausedUntil = 0;

  const runIfDue = async () => {
    if (!(await store.acquireSnapshotLease({ holder, leaseMs }))) {
      return;
    }
    const lost = new AbortController();
    const renewal = setInterval(() => {
      store
        .renewSnapshotLease({ holder, leaseMs })
        .then(held => {
          if (!held) {
            lost.abort();
          }
        })
        .catch(() => {
          // The database is gone: the run stops on its own first failure.
        });
    }, leaseMs / 3);
    let result: Awaited<ReturnType<typeof snapshotAll>> | undefined;
    try {
      result = await snapshotAll(options, {
        signal: AbortSignal.any([shutdown.signal, lost.signal]),
      });
      logger.info('Stageflow snapshot done', result);
    } finally {
      clearInterval(renewal);
      // Unfinished (shutdown, lost database): due again at once.
      const finished = result && !result.stopped;
      if (!result || result.stopped === 'database') {
        pausedUntil = Date.now() + intervalMs;
      }
      await store
        .releaseSnapshotLease({
          holder,
          nextRunAt: new Date(Date.now() + (finished ? intervalMs : 0)),
        })
        .catch(error => {
          // A lost database was already reported by the run.
          if (result?.stopped !== 'database') {
            logger.warn('Stageflow snapshot lease not released; it lapses', {
              error: (error as Error).message,
            });
          }
        });
    }
  };

  await options.scheduler.scheduleTask({
    id: 'stageflow-snapshots-tick',
    scope: 'local',
    frequency: { milliseconds: tickMs },
    // The run ends by itself (its lease, the shutdown signal).
    timeout: { hours: 24 },
    initialDelay: { milliseconds: Math.min(10_000, tickMs) },
    fn: async () => {
      if (shutdown.signal.aborted || Date.now() < pausedUntil) {
        return;
      }
      running = runIfDue().catch(error => {
        pausedUntil = Date.now() + intervalMs;
        logger.warn('Stageflow snapshot failed; trying again in an interval', {
          error: (error as Error).message,
        });
      });
      await running;
    },
  });
  options.lifecycle?.addShutdownHook(async () => {
    shutdown.abort();
    await running;
  });
}
