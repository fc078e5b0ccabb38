import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const TABLE = 'stageflow_contributions';

const migrationsDir = resolvePackagePath(
  '@stageflow/plugin-stageflow-backend',
  'migrations',
);

/**
 * A contributor and the size of its set.
 *
 * @public
 */
export interface ContributorSummary {
  contributor: string;
  entityCount: number;
  updatedAt: string;
}

/**
 * The set of entities of one contributor.
 *
 * @public
 */
export interface Contribution {
  contributor: string;
  entities: Entity[];
  /** Absent when the contributor has sent nothing (or an empty set). */
  updatedAt?: string;
}

type Row = {
  entity_ref: string;
  contributor: string;
  entity: string;
  updated_by: string | null;
  updated_at: Date | string | number;
};

// PostgreSQL returns a Date, SQLite the text CURRENT_TIMESTAMP wrote (UTC
// without a zone) or the epoch milliseconds knex bound.
function toIsoString(value: Date | string | number): string {
  if (
    typeof value === 'string' &&
    !/[zZ+]|-\d\d:?\d\d$/.test(value.slice(10))
  ) {
    return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
  }
  return new Date(value).toISOString();
}

/**
 * Stores each contributor's set of catalog entities in the plugin database.
 * The entities are expected to be validated already; the store only keeps
 * the one-contributor-per-entity rule.
 *
 * @public
 */
export class ContributionsStore {
  /**
   * Opens the store on the plugin database, running the plugin's migrations
   * unless the database service says to skip them.
   */
  static async create(options: {
    database: DatabaseService;
  }): Promise<ContributionsStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new ContributionsStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async listContributors(): Promise<ContributorSummary[]> {
    const rows = (await this.db(TABLE)
      .select('contributor')
      .count({ entity_count: '*' })
      .max({ updated_at: 'updated_at' })
      .groupBy('contributor')
      .orderBy('contributor')) as Array<{
      contributor: string;
      entity_count: string | number;
      updated_at: Date | string | number;
    }>;
    return rows.map(row => ({
      contributor: row.contributor,
      // PostgreSQL returns count(*) as a string (bigint).
      entityCount: Number(row.entity_count),
      updatedAt: toIsoString(row.updated_at),
    }));
  }

  async getContribution(contributor: string): Promise<Contribution> {
    const rows: Row[] = await this.db<Row>(TABLE)
      .where({ contributor })
      .orderBy('entity_ref');
    if (rows.length === 0) {
      return { contributor, entities: [] };
    }
    return {
      contributor,
      entities: rows.map(row => JSON.parse(row.entity)),
      updatedAt: toIsoString(rows[0].updated_at),
    };
  }

  /**
   * Replaces the contributor's set in one transaction: afterwards the store
   * holds exactly `entities` for it. Throws a `ConflictError`, changing
   * nothing, when another contributor already sends one of the entities.
   * Safe under concurrency: the same set sent to two replicas at once gives
   * the same rows and no error (rows are upserted, never deleted and
   * re-inserted, and on PostgreSQL writes of one contributor are serialized
   * by a transaction advisory lock; SQLite serializes every write).
   *
   * @returns the refs of the stored entities
   */
  async replaceContribution(options: {
    contributor: string;
    entities: Entity[];
    updatedBy?: string;
  }): Promise<string[]> {
    const { contributor, entities, updatedBy } = options;
    const updatedAt = new Date();
    // One row per ref: an upsert may not touch a row twice.
    const rows = [
      ...new Map(
        entities.map(entity => {
          const entityRef = stringifyEntityRef(entity);
          return [
            entityRef,
            {
              entity_ref: entityRef,
              contributor,
              entity: JSON.stringify(entity),
              updated_by: updatedBy ?? null,
              updated_at: updatedAt,
            },
          ];
        }),
      ).values(),
    ];
    const refs = rows.map(row => row.entity_ref);
    const wanted = new Set(refs);
    await this.db.transaction(async tx => {
      if (tx.client.config.client === 'pg') {
        await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [
          `${TABLE}:${contributor}`,
        ]);
      }
      // Chunked because SQLite limits the number of bound parameters.
      for (let i = 0; i < rows.length; i += 100) {
        await tx(TABLE)
          .insert(rows.slice(i, i + 100))
          .onConflict('entity_ref')
          .merge(['entity', 'updated_by', 'updated_at'])
          // Another contributor's row is left as it is, and reported below.
          .where(`${TABLE}.contributor`, contributor);
      }
      const taken: Array<Pick<Row, 'entity_ref' | 'contributor'>> = [];
      for (let i = 0; i < refs.length; i += 500) {
        taken.push(
          ...(await tx<Row>(TABLE)
            .select('entity_ref', 'contributor')
            .whereIn('entity_ref', refs.slice(i, i + 500))
            .whereNot({ contributor })),
        );
      }
      if (taken.length > 0) {
        throw new ConflictError(
          `Entities already contributed by another contributor: ${taken
            .map(row => `${row.entity_ref} (by ${row.contributor})`)
            .join(', ')}`,
        );
      }
      const dropped = (
        await tx<Row>(TABLE).select('entity_ref').where({ contributor })
      )
        .map(row => row.entity_ref)
        .filter(ref => !wanted.has(ref));
      for (let i = 0; i < dropped.length; i += 500) {
        await tx(TABLE)
          .where({ contributor })
          .whereIn('entity_ref', dropped.slice(i, i + 500))
          .delete();
      }
    });
    return refs;
  }
}
