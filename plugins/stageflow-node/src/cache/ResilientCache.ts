import {
  CacheService,
  CacheServiceOptions,
  CacheServiceSetOptions,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConsecutiveBreaker,
  IPolicy,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
} from 'cockatiel';
import { LRUCache } from 'lru-cache';

type JsonValue = Parameters<CacheService['set']>[1];
type Ttl = NonNullable<CacheServiceSetOptions['ttl']>;

/** @public */
export interface ResilientCacheOptions {
  logger: LoggerService;
  /** Longest a call waits for the shared cache; default 250 ms. */
  timeoutMs?: number;
  /** After failed calls, how long calls skip the shared cache; default 5 s. */
  retryAfterMs?: number;
  /**
   * How many calls in a row must fail before calls skip the shared cache;
   * default 3 (one call late because this process was busy is no outage).
   */
  failuresToBreak?: number;
  /**
   * Entries this replica keeps in memory as the fallback; default 50,000
   * (room for the facts of a few thousand components).
   */
  memoryEntries?: number;
  /** Lifetime of a memory entry set without a TTL; default 1 hour. */
  memoryTtlMs?: number;
}

/**
 * Whether the shared cache answers.
 *
 * @public
 */
export interface CacheHealth {
  available: boolean;
  /** Since when it is unavailable (ISO 8601). */
  since?: string;
  reason?: string;
}

const MS_PER_UNIT: Record<string, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
  months: 2_629_800_000,
  years: 31_557_600_000,
};

function ttlMs(ttl: Ttl): number {
  if (typeof ttl === 'number') {
    return ttl;
  }
  return Object.entries(ttl).reduce(
    (sum, [unit, amount]) => sum + (amount ?? 0) * (MS_PER_UNIT[unit] ?? 0),
    0,
  );
}

/** What every `withOptions` view of one wrapped cache shares. */
class SharedState {
  readonly memory: LRUCache<string, { value: JsonValue }>;
  readonly policy: IPolicy;
  readonly pendingDeletes = new Set<string>();
  health: CacheHealth = { available: true };

  constructor(
    readonly options: Required<Omit<ResilientCacheOptions, 'logger'>> & {
      logger: LoggerService;
    },
    replayDeletes: (keys: string[]) => void,
  ) {
    this.memory = new LRUCache({
      max: options.memoryEntries,
      ttl: options.memoryTtlMs,
    });
    const breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.retryAfterMs,
      breaker: new ConsecutiveBreaker(options.failuresToBreak),
    });
    breaker.onBreak(reason => {
      const error = 'error' in reason ? reason.error : undefined;
      this.health = {
        available: false,
        since: new Date().toISOString(),
        reason: error?.message ?? 'no answer',
      };
      // Once per outage, not once per call.
      options.logger.warn(
        'Shared cache unavailable; answering from memory and upstream',
        { reason: this.health.reason },
      );
    });
    breaker.onReset(() => {
      options.logger.info('Shared cache available again', {
        unavailableSince: this.health.since,
      });
      this.health = { available: true };
      const keys = [...this.pendingDeletes];
      this.pendingDeletes.clear();
      replayDeletes(keys);
    });
    this.policy = wrap(
      breaker,
      timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }
}

/**
 * A `CacheService` in front of the platform cache (Redis in production)
 * whose calls never wait longer than `timeoutMs`. When the shared cache
 * fails or is slow, reads answer from this replica's memory (what it last
 * read or wrote), and a miss sends the caller to its upstream: an outage
 * costs speed, never answers. Deletes made during an outage are replayed
 * when the shared cache is back, so that no replica keeps reading what was
 * invalidated.
 *
 * @public
 */
export class ResilientCache implements CacheService {
  /** Wraps the platform cache. */
  static wrap(
    cache: CacheService,
    options: ResilientCacheOptions,
  ): ResilientCache {
    let root: ResilientCache | undefined = undefined;
    const state = new SharedState(
      {
        logger: options.logger,
        timeoutMs: options.timeoutMs ?? 250,
        retryAfterMs: options.retryAfterMs ?? 5000,
        failuresToBreak: options.failuresToBreak ?? 3,
        memoryEntries: options.memoryEntries ?? 50_000,
        memoryTtlMs: options.memoryTtlMs ?? 3_600_000,
      },
      keys => {
        for (const key of keys) {
          root?.deleteShared(key);
        }
      },
    );
    root = new ResilientCache(cache, state, undefined);
    return root;
  }

  private constructor(
    private readonly upstream: CacheService,
    private readonly state: SharedState,
    private readonly defaultTtlMs: number | undefined,
  ) {}

  /** Whether the shared cache answers; for readiness. */
  health(): CacheHealth {
    return this.state.health;
  }

  async get<TValue extends JsonValue>(
    key: string,
  ): Promise<TValue | undefined> {
    const { memory, policy } = this.state;
    try {
      const value = await policy.execute(() => this.upstream.get<TValue>(key));
      if (value === undefined) {
        // Another replica may have invalidated it.
        memory.delete(key);
      } else {
        // Kept for an outage; the entry keeps the lifetime it was set with.
        memory.set(key, { value }, { noUpdateTTL: true });
      }
      return value;
    } catch {
      return memory.get(key)?.value as TValue | undefined;
    }
  }

  async set(
    key: string,
    value: JsonValue,
    options?: CacheServiceSetOptions,
  ): Promise<void> {
    const ttl = options?.ttl !== undefined ? ttlMs(options.ttl) : undefined;
    this.state.memory.set(
      key,
      { value },
      { ttl: ttl ?? this.defaultTtlMs ?? this.state.options.memoryTtlMs },
    );
    this.state.pendingDeletes.delete(key);
    await this.state.policy
      .execute(() => this.upstream.set(key, value, options))
      .catch(() => undefined);
  }

  async delete(key: string): Promise<void> {
    this.state.memory.delete(key);
    await this.deleteShared(key);
  }

  withOptions(options: CacheServiceOptions): CacheService {
    return new ResilientCache(
      this.upstream.withOptions(options),
      this.state,
      options.defaultTtl !== undefined
        ? ttlMs(options.defaultTtl)
        : this.defaultTtlMs,
    );
  }

  private async deleteShared(key: string): Promise<void> {
    await this.state.policy
      .execute(() => this.upstream.delete(key))
      .catch(() => {
        if (this.state.pendingDeletes.size < this.state.options.memoryEntries) {
          this.state.pendingDeletes.add(key);
        }
      });
  }
}
