import {
  CacheService,
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  StageInfo,
  StageTransition,
  StaleMark,
} from '@stageflow/plugin-stageflow-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@stageflow/plugin-stageflow-backend',
  'migrations',
);

interface StateRow {
  entity_ref: string;
  stage: string;
  flow: string;
  digest: string | null;
  revision: string | null;
  version: string | null;
  status: string;
  message: string | null;
  state: string;
  observed_at: Date | string;
}

interface TransitionRow {
  entity_ref: string;
  stage: string;
  observed_at: Date | string;
  from_digest: string | null;
  to_digest: string | null;
  from_version: string | null;
  to_version: string | null;
  revision: string | null;
  revision_date: Date | string | null;
  status: string;
  actor: string | null;
  task_id: string | null;
  approvers?: string | null;
}

const LEASE_TABLE = 'stageflow_snapshot_lease';
const LEASE_ID = 'snapshots';

function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

/** A stage transition with the date of the commit it rolled out. */
export interface RecordedTransition extends StageTransition {
  revisionDate?: string;
}

/**
 * The last observed state of every stage, and the transitions between
 * observations, in the plugin's database (SQLite or PostgreSQL).
 */
export class SnapshotStore {
  /**
   * Opens the store, running the migrations. With a `cache` (best the
   * plugin's `ResilientCache`), the `read*` methods answer from the last
   * known result, marked stale, while the database is unreachable.
   */
  static async create(
    database: DatabaseService,
    cache?: CacheService,
  ): Promise<SnapshotStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new SnapshotStore(client, cache);
  }

  constructor(
    private readonly db: Knex,
    private readonly cache?: CacheService,
  ) {}

  /** {@link SnapshotStore.transitions}, or the last known ones, marked stale. */
  async readTransitions(
    entityRef: string,
    options: { limit?: number } = {},
  ): Promise<{ transitions: RecordedTransition[]; stale?: StaleMark }> {
    const { value, stale } = await this.lastKnown(
      `transitions:${options.limit ?? 'all'}:${entityRef}`,
      () => this.transitions(entityRef, options),
    );
    return { transitions: value, ...(stale ? { stale } : {}) };
  }

  /** {@link SnapshotStore.latestStates}, or the last known ones, marked stale. */
  async readLatestStates(entityRefs: string[]): Promise<{
    states: Awaited<ReturnType<SnapshotStore['latestStates']>>;
    stale?: StaleMark;
  }> {
    const { value, stale } = await this.lastKnown(
      `states:${[...entityRefs].sort().join(',')}`,
      async () => [...(await this.latestStates(entityRefs)).entries()],
    );
    return { states: new Map(value), ...(stale ? { stale } : {}) };
  }

  private async lastKnown<T>(
    key: string,
    read: () => Promise<T>,
  ): Promise<{ value: T; stale?: StaleMark }> {
    try {
      const value = await read();
      await this.cache?.set(`last-known:${key}`, {
        asOf: new Date().toISOString(),
        value: value as any,
      });
      return { value };
    } catch (error) {
      const known = await this.cache?.get<{ asOf: string; value: any }>(
        `last-known:${key}`,
      );
      if (!known) {
        throw error;
      }
      return {
        value: known.value as T,
        stale: { asOf: known.asOf, reason: 'Database unavailable' },
      };
    }
  }

  /**
   * Records one observation of a component; returns the transitions it
   * found (a stage whose digest changed, or that appeared).
   */
  async record(options: {
    entityRef: string;
    flow: string;
    stages: StageInfo[];
    observedAt: Date;
    revisionDates?: Record<string, string | undefined>;
    /** Who made the change through Stageflow; absent for a snapshot. */
    actor?: string;
    taskId?: string;
    /** Who approved the change (a protected stage). */
    approvers?: string[];
    /** What a stage ran before, when no earlier state was recorded. */
    previous?: Record<string, { digest?: string; version?: string }>;
  }): Promise<RecordedTransition[]> {
    const { entityRef, flow, stages, observedAt, actor, taskId } = options;
    return this.db.transaction(async tx => {
      const previous = new Map(
        (
          await tx<StateRow>('stageflow_stage_states').where({
            entity_ref: entityRef,
          })
        ).map(row => [row.stage, row]),
      );
      const transitions: RecordedTransition[] = [];
      const transitionRows: object[] = [];
      const stateRows: object[] = [];
      for (const stage of stages) {
        const before = previous.get(stage.name) ?? {
          digest: options.previous?.[stage.name]?.digest ?? null,
          version: options.previous?.[stage.name]?.version ?? null,
        };
        const changed =
          stage.digest !== undefined && before?.digest !== stage.digest;
        if (changed) {
          const revisionDate = stage.revision
            ? options.revisionDates?.[stage.revision]
            : undefined;
          const transition: RecordedTransition = {
            stage: stage.name,
            observedAt: observedAt.toISOString(),
            ...(before?.digest ? { fromDigest: before.digest } : {}),
            toDigest: stage.digest,
            ...(before?.version ? { fromVersion: before.version } : {}),
            ...(stage.version ? { toVersion: stage.version } : {}),
            ...(stage.revision ? { revision: stage.revision } : {}),
            ...(revisionDate ? { revisionDate } : {}),
            status: stage.status,
            ...(actor ? { actor } : {}),
            ...(taskId ? { taskId } : {}),
            ...(options.approvers?.length
              ? { approvers: options.approvers }
              : {}),
          };
          transitions.push(transition);
          transitionRows.push({
            entity_ref: entityRef,
            stage: stage.name,
            observed_at: observedAt,
            from_digest: before?.digest ?? null,
            to_digest: stage.digest ?? null,
            from_version: before?.version ?? null,
            to_version: stage.version ?? null,
            revision: stage.revision ?? null,
            revision_date: revisionDate ? new Date(revisionDate) : null,
            status: stage.status,
            actor: actor ?? null,
            task_id: taskId ?? null,
            approvers: options.approvers?.length
              ? JSON.stringify(options.approvers)
              : null,
          });
        }
        stateRows.push({
          entity_ref: entityRef,
          stage: stage.name,
          flow,
          digest: stage.digest ?? null,
          revision: stage.revision ?? null,
          version: stage.version ?? null,
          status: stage.status,
          message: stage.message ?? null,
          state: JSON.stringify(stage),
          observed_at: observedAt,
        });
      }
      // One statement each, not one per stage: a snapshot records every
      // component, and each statement is a round trip on PostgreSQL.
      if (transitionRows.length > 0) {
        await tx('stageflow_stage_transitions').insert(transitionRows);
      }
      if (stateRows.length > 0) {
        await tx('stageflow_stage_states')
          .insert(stateRows)
          .onConflict(['entity_ref', 'stage'])
          .merge();
      }
      // Stages the flow no longer has (only when there are any: a statement
      // per component of every snapshot otherwise).
      const names = stages.map(s => s.name);
      if ([...previous.keys()].some(name => !names.includes(name))) {
        await tx('stageflow_stage_states')
          .where({ entity_ref: entityRef })
          .whereNotIn('stage', names)
          .delete();
      }
      return transitions;
    });
  }

  /**
   * Claims the snapshot run for `holder` until `leaseMs` from now, when a
   * run is due and no other replica holds a live claim.
   */
  async acquireSnapshotLease(options: {
    holder: string;
    leaseMs: number;
  }): Promise<boolean> {
    const now = new Date();
    await this.db(LEASE_TABLE)
      .insert({
        id: LEASE_ID,
        holder: null,
        expires_at: null,
        next_run_at: now,
      })
      .onConflict('id')
      .ignore();
    const claimed = await this.db(LEASE_TABLE)
      .where({ id: LEASE_ID })
      .where('next_run_at', '<=', now)
      .where(free => free.whereNull('holder').orWhere('expires_at', '<', now))
      .update({
        holder: options.holder,
        expires_at: new Date(now.getTime() + options.leaseMs),
      });
    return claimed === 1;
  }

  /** Extends the claim; false when `holder` lost it. */
  async renewSnapshotLease(options: {
    holder: string;
    leaseMs: number;
  }): Promise<boolean> {
    const renewed = await this.db(LEASE_TABLE)
      .where({ id: LEASE_ID, holder: options.holder })
      .update({ expires_at: new Date(Date.now() + options.leaseMs) });
    return renewed === 1;
  }

  /** Gives the claim back; the next run is due at `nextRunAt`. */
  async releaseSnapshotLease(options: {
    holder: string;
    nextRunAt: Date;
  }): Promise<void> {
    await this.db(LEASE_TABLE)
      .where({ id: LEASE_ID, holder: options.holder })
      .update({
        holder: null,
        expires_at: null,
        next_run_at: options.nextRunAt,
      });
  }

  /** The last observed stages of components, by entity ref. */
  async latestStates(
    entityRefs: string[],
  ): Promise<
    Map<string, { flow: string; stages: StageInfo[]; observedAt: string }>
  > {
    const result = new Map<
      string,
      { flow: string; stages: StageInfo[]; observedAt: string }
    >();
    for (let i = 0; i < entityRefs.length; i += 500) {
      const rows = await this.db<StateRow>('stageflow_stage_states').whereIn(
        'entity_ref',
        entityRefs.slice(i, i + 500),
      );
      for (const row of rows) {
        const entry = result.get(row.entity_ref) ?? {
          flow: row.flow,
          stages: [],
          observedAt: iso(row.observed_at),
        };
        entry.stages.push(JSON.parse(row.state));
        result.set(row.entity_ref, entry);
      }
    }
    return result;
  }

  async transitions(
    entityRef: string,
    options: { since?: Date; limit?: number } = {},
  ): Promise<RecordedTransition[]> {
    let query = this.db<TransitionRow>('stageflow_stage_transitions')
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'observed_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    if (options.since) {
      query = query.where('observed_at', '>=', options.since);
    }
    if (options.limit) {
      query = query.limit(options.limit);
    }
    const rows = await query;
    return rows.map(row => ({
      stage: row.stage,
      observedAt: iso(row.observed_at),
      ...(row.from_digest ? { fromDigest: row.from_digest } : {}),
      ...(row.to_digest ? { toDigest: row.to_digest } : {}),
      ...(row.from_version ? { fromVersion: row.from_version } : {}),
      ...(row.to_version ? { toVersion: row.to_version } : {}),
      ...(row.revision ? { revision: row.revision } : {}),
      ...(row.revision_date ? { revisionDate: iso(row.revision_date) } : {}),
      status: row.status as StageTransition['status'],
      ...(row.actor ? { actor: row.actor } : {}),
      ...(row.task_id ? { taskId: row.task_id } : {}),
      ...(row.approvers
        ? { approvers: JSON.parse(row.approvers) as string[] }
        : {}),
    }));
  }
}
