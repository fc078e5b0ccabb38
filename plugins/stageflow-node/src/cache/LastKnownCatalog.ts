import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { StaleMark } from '@stageflow/plugin-stageflow-common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';

/** How old this replica lets a copy get before it writes it again. */
const REFRESH_COPY_MS = 60_000;

/** @public */
export interface LastKnownCatalogOptions {
  /** The catalog service (`getEntityByRef`, and `getEntities` for lists). */
  catalog: {
    getEntityByRef(
      entityRef: string,
      options: { credentials: BackstageCredentials },
    ): Promise<Entity | undefined>;
    getEntities?(
      request: LastKnownEntitiesRequest,
      options: { credentials: BackstageCredentials },
    ): Promise<{ items: Entity[] }>;
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

/**
 * The part of a catalog `getEntities` request that {@link LastKnownCatalog}
 * passes on and keys its copy by.
 *
 * @public
 */
export interface LastKnownEntitiesRequest {
  filter?: Record<string, string | symbol | (string | symbol)[]>;
  fields?: string[];
}

/**
 * A list of entities, and the stale mark when it is the last known copy.
 *
 * @public
 */
export interface LastKnownEntities {
  items: Entity[];
  stale?: StaleMark;
}

function requestKey(request: LastKnownEntitiesRequest): string {
  // Symbols (CATALOG_FILTER_EXISTS) do not survive JSON: name them.
  return createHash('sha256')
    .update(
      JSON.stringify(request, (_key, value) =>
        typeof value === 'symbol' ? `symbol:${value.description}` : value,
      ),
    )
    .digest('hex')
    .slice(0, 32);
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
  /** When this replica last wrote each copy. */
  private readonly written = new LRUCache<string, number>({ max: 10_000 });

  constructor(private readonly options: LastKnownCatalogOptions) {
    this.cache = options.cache;
    this.ttlMs = options.ttlMs ?? 7 * 86_400_000;
  }

  async getEntityByRef(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<LastKnownEntity> {
    const { value, stale } = await this.read(
      `last-known-entity-v2:${principalKey(options.credentials)}:${entityRef}`,
      () => this.options.catalog.getEntityByRef(entityRef, options),
    );
    return { entity: value, ...(stale ? { stale } : {}) };
  }

  /**
   * A list of entities as `getEntities` answers it, or while the catalog is
   * unreachable the last copy this caller got for the same request.
   */
  async getEntities(
    request: LastKnownEntitiesRequest,
    options: { credentials: BackstageCredentials },
  ): Promise<LastKnownEntities> {
    const { catalog } = this.options;
    if (!catalog.getEntities) {
      throw new Error('LastKnownCatalog: the catalog given has no getEntities');
    }
    const { value, stale } = await this.read(
      `last-known-entities:${principalKey(options.credentials)}:${requestKey(
        request,
      )}`,
      async () => (await catalog.getEntities!(request, options)).items,
    );
    return { items: value ?? [], ...(stale ? { stale } : {}) };
  }

  private async read<T extends object>(
    key: string,
    fetch: () => Promise<T | undefined>,
  ): Promise<{ value: T | undefined; stale?: StaleMark }> {
    let value: T | undefined;
    try {
      value = await this.withinTimeout(fetch());
    } catch (error) {
      if (ANSWERS.has((error as Error)?.name)) {
        throw error;
      }
      const known = await this.cache.get<{ value: T; asOf: string }>(key);
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
        value: known.value,
        stale: {
          asOf: known.asOf,
          reason: `Catalog unavailable: ${(error as Error).name}`,
        },
      };
    }
    this.outageLogged = false;
    if (value) {
      // Every read answers fresh, but the copy for an outage is written at
      // most once a minute per key and caller: an overview of a thousand
      // components is not written to the shared cache on every page view.
      const now = Date.now();
      if (now - (this.written.get(key) ?? 0) >= REFRESH_COPY_MS) {
        this.written.set(key, now);
        await this.cache.set(
          key,
          { value: value as any, asOf: new Date(now).toISOString() },
          { ttl: this.ttlMs },
        );
      }
    } else {
      this.written.delete(key);
      await this.cache.delete(key);
    }
    return { value };
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
