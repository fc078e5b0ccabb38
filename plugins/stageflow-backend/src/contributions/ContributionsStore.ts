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
   *
   * @returns the refs of the stored entities
   */
  async replaceContribution(options: {
    contributor: string;
    entities: Entity[];
    updatedBy?: string;
  }): Promise<string[]> {
    const { contributor, entities, updatedBy } = options;
    const rows = entities.map(entity => ({
      entity_ref: stringifyEntityRef(entity),
      contributor,
      entity: JSON.stringify(entity),
      updated_by: updatedBy ?? null,
      updated_at: new Date(),
    }));
    const refs = rows.map(row => row.entity_ref);
    await this.db.transaction(async tx => {
      const taken: Array<Pick<Row, 'entity_ref' | 'contributor'>> = [];
      // Chunked because SQLite limits the number of bound parameters.
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
      await tx(TABLE).where({ contributor }).delete();
      for (let i = 0; i < rows.length; i += 100) {
        await tx(TABLE).insert(rows.slice(i, i + 100));
      }
    });
    return refs;
  }
}
