import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { StaleMark } from '@stageflow/plugin-stageflow-common';

/** @public */
export interface LastKnownCatalogOptions {
  /** The catalog service (only `getEntityByRef` is used). */
  catalog: {
    getEntityByRef(
      entityRef: string,
      options: { credentials: BackstageCredentials },
    ): Promise<Entity | undefined>;
  };
  /** Best a {@link ResilientCache}, so that it still answers without Redis. */
  cache: CacheService;
  logger: LoggerService;
  /** How long an entity is kept for an outage; default 7 days. */
  ttlMs?: number;
  /**
   * How long a catalog read may take before the last known copy answers;
   * default 3 s (a catalog whose database is gone waits for a connection).
   */
  timeoutMs?: number;
}

/**
 * An entity, and the stale mark when it comes from the last known copy.
 *
 * @public
 */
export interface LastKnownEntity {
  entity: Entity | undefined;
  stale?: StaleMark;
}

// Errors that are the caller's answer, not an outage of the catalog.
const ANSWERS = new Set([
  'InputError',
  'NotAllowedError',
  'NotFoundError',
  'AuthenticationError',
]);

function principalKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? principal.type ?? '';
}

/**
 * Reads entities through the catalog and keeps the last copy each caller
 * saw, so that while the catalog's database is unreachable a request still
 * gets the entity, marked stale, instead of a 500. The copy is kept per
 * caller: the fallback never shows anyone an entity the catalog did not
 * show them.
 *
 * @public
 */
export class LastKnownCatalog {
  private readonly cache: CacheService;
  private readonly ttlMs: number;
  private outageLogged = false;

  constructor(private readonly options: LastKnownCatalogOptions) {
    this.cache = options.cache;
    this.ttlMs = options.ttlMs ?? 7 * 86_400_000;
  }

  async getEntityByRef(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<LastKnownEntity> {
    const key = `last-known-entity:${principalKey(
      options.credentials,
    )}:${entityRef}`;
    let entity: Entity | undefined;
    try {
      entity = await this.withinTimeout(
        this.options.catalog.getEntityByRef(entityRef, options),
      );
    } catch (error) {
      if (ANSWERS.has((error as Error)?.name)) {
        throw error;
      }
      const known = await this.cache.get<{ entity: Entity; asOf: string }>(key);
      if (!known) {
        throw error;
      }
      if (!this.outageLogged) {
        this.outageLogged = true;
        this.options.logger.warn(
          'Catalog unavailable; answering from the last known entities',
          { error: (error as Error).message },
        );
      }
      return {
        entity: known.entity,
        stale: {
          asOf: known.asOf,
          reason: `Catalog unavailable: ${(error as Error).name}`,
        },
      };
    }
    this.outageLogged = false;
    if (entity) {
      await this.cache.set(
        key,
        { entity: entity as any, asOf: new Date().toISOString() },
        { ttl: this.ttlMs },
      );
    } else {
      await this.cache.delete(key);
    }
    return { entity };
  }

  private async withinTimeout<T>(read: Promise<T>): Promise<T> {
    const timeoutMs = this.options.timeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        read,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new Error(`no answer in ${timeoutMs} ms`);
            error.name = 'TimeoutError';
            reject(error);
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
