import {
  coreServices,
  createServiceFactory,
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;
type Migrator = Knex['migrate'];

// Replicas started together race for each plugin's database and migration
// lock: knex fails at once instead of waiting ("Migration table is already
// locked", or a duplicate catalog row while both create the same table).
const RACE =
  /Migration table is already locked|already exists|duplicate key value violates unique constraint/i;

// A migration that takes longer than this (or a lock left by a replica
// killed mid-migration, see the README) fails the start-up, naming the lock.
const WAIT_MS = 120_000;

async function waitingForOtherReplicas<T>(
  what: string,
  logger: LoggerService,
  attempt: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const message = (error as Error)?.message ?? '';
      if (!RACE.test(message) || Date.now() - started > WAIT_MS) {
        throw error;
      }
      if (tries === 0) {
        logger.info(`Waiting for another replica: ${what}`, {
          reason: message,
        });
      }
      await new Promise(resolve =>
        setTimeout(resolve, Math.min(250 * 2 ** tries, 2000)),
      );
    }
  }
}

/** The plugin's knex, whose `migrate.latest` waits for another replica's. */
function withWaitingMigrations(knex: Knex, logger: LoggerService): Knex {
  return new Proxy(knex, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'migrate') {
        return value;
      }
      const migrator = value as Migrator;
      return new Proxy(migrator, {
        get(m, p) {
          const member = Reflect.get(m, p, m);
          if (p === 'latest') {
            return (config?: Parameters<Migrator['latest']>[0]) =>
              waitingForOtherReplicas('database migrations', logger, () =>
                migrator.latest(config),
              );
          }
          return typeof member === 'function' ? member.bind(m) : member;
        },
      });
    },
  });
}

/**
 * The platform database service, safe for replicas that start together on
 * an empty database: creating a plugin's database and running its
 * migrations wait for (and retry after) another replica doing the same,
 * for every plugin of the backend, instead of failing its start-up.
 */
export const migrationSafeDatabaseServiceFactory = createServiceFactory({
  service: coreServices.database,
  deps: {
    config: coreServices.rootConfig,
    lifecycle: coreServices.lifecycle,
    logger: coreServices.logger,
    pluginMetadata: coreServices.pluginMetadata,
    rootLifecycle: coreServices.rootLifecycle,
    rootLogger: coreServices.rootLogger,
  },
  async createRootContext({ config, rootLifecycle, rootLogger }) {
    return DatabaseManager.fromConfig(
      config.getOptional('backend.database')
        ? config
        : new ConfigReader({
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
          }),
      { rootLifecycle, rootLogger },
    );
  },
  async factory({ pluginMetadata, lifecycle, logger }, manager) {
    const database = manager.forPlugin(pluginMetadata.getId(), {
      lifecycle,
      logger,
    });
    let client: Promise<Knex> | undefined;
    const service: DatabaseService = {
      migrations: database.migrations,
      getClient() {
        client ??= waitingForOtherReplicas(
          'plugin database creation',
          logger,
          () => database.getClient(),
        )
          .then(knex => withWaitingMigrations(knex, logger))
          .catch(error => {
            client = undefined;
            throw error;
          });
        return client;
      },
    };
    return service;
  },
});
