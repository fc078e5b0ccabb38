import {
  CacheService,
  CacheServiceOptions,
  CacheServiceSetOptions,
  LoggerService,
} from '@backstage/backend-plugin-api';
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

/**
 * How a value is kept in the shared cache: with when it expires, so that
 * the memory copy of a value read from there ends when the shared one
 * does, however long after it was written it was read (a replica that
 * started since, an outage).
 *
 * Envelopes live under keys of their own ({@link SHARED_KEY_PREFIX}), so
 * that in a rolling upgrade a replica of an earlier version, which would
 * take an envelope for the value, finds nothing there and reads its
 * upstream instead.
 */
interface Envelope {
  stageflowCacheEntry: 1;
  value: JsonValue;
  expiresAt?: number;
}

const SHARED_KEY_PREFIX = 'rc2:';

function sharedKey(key: string): string {
  return `${SHARED_KEY_PREFIX}${key}`;
}

function isEnvelope(value: unknown): value is Envelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<Envelope>).stageflowCacheEntry === 1 &&
    'value' in value
  );
}

/** What a call through the {@link SharedCacheGate} came to. */
type Outcome<T> = { answered: true; value: T } | { answered: false };

const SKIPPED: Outcome<never> = { answered: false };

/**
 * The timeout and circuit breaker of the calls to the shared cache: a call
 * that fails or takes longer than `timeoutMs` counts as a failure,
 * `failuresToBreak` failures in a row open the circuit, and while it is
 * open calls skip the shared cache, but for one probe every `retryAfterMs`.
 *
 * Written for the hot path (a snapshot of 1,000 components makes tens of
 * thousands of cache calls): one timer per call and no exceptions, as a
 * cache call cannot be cancelled anyway and its caller falls back to
 * memory whatever went wrong.
 */
class SharedCacheGate {
  #failures = 0;
  /** When the shared cache last answered a call, in time or late. */
  #answeredAt = 0;
  /** When the last failure that counted was counted. */
  #countedAt = 0;
  /** 0 while closed; else when the next probe may go. */
  #probeAt = 0;
  #probing = false;

  constructor(
    private readonly options: {
      timeoutMs: number;
      retryAfterMs: number;
      failuresToBreak: number;
      onBreak: (reason: string) => void;
      onReset: () => void;
    },
  ) {}

  async call<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
    const probe = this.#probeAt !== 0;
    if (probe) {
      if (this.#probing || Date.now() < this.#probeAt) {
        return SKIPPED;
      }
      this.#probing = true;
    }
    const startedAt = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<Outcome<T>>(resolve => {
      // Timers run before the event loop reads its sockets: an answer that
      // arrived while this process was busy is read first, and counts.
      timer = setTimeout(
        () => setImmediate(() => resolve(SKIPPED)),
        this.options.timeoutMs,
      );
    });
    let error: string | undefined;
    let pending: Promise<T>;
    try {
      pending = fn();
    } catch (thrown) {
      pending = Promise.reject(thrown);
    }
    try {
      const outcome = await Promise.race([
        pending.then(
          (value): Outcome<T> => {
            // Also an answer that came after its caller went without:
            // the shared cache is there.
            this.#answeredAt = Date.now();
            if (this.#probeAt === 0) {
              this.#failures = 0;
            }
            return { answered: true, value };
          },
          (cause): Outcome<T> => {
            error = (cause as Error)?.message ?? String(cause);
            return SKIPPED;
          },
        ),
        late,
      ]);
      if (outcome.answered) {
        this.#succeeded();
      } else if (error !== undefined) {
        this.#failed(error, startedAt);
      } else if (!(this.#answeredAt >= startedAt && this.#probeAt === 0)) {
        // A call that timed out while others were answered since it
        // began met a busy shared cache (or a busy process), not an
        // outage: it goes without, and counts for nothing.
        this.#failed(
          `no answer within ${this.options.timeoutMs} ms`,
          startedAt,
        );
      }
      return outcome;
    } finally {
      clearTimeout(timer);
      if (probe) {
        this.#probing = false;
      }
    }
  }

  #succeeded() {
    this.#failures = 0;
    if (this.#probeAt !== 0) {
      this.#probeAt = 0;
      this.options.onReset();
    }
  }

  /**
   * Failures count one at a time: a call already under way when the last
   * one was counted failed in the same episode (a burst of calls that this
   * process began at once and could not send in time is one failure).
   */
  #failed(reason: string, startedAt: number) {
    if (startedAt < this.#countedAt) {
      return;
    }
    this.#countedAt = Date.now();
    this.#failures += 1;
    if (this.#probeAt !== 0) {
      // A failed probe: still out, no new line.
      this.#probeAt = Date.now() + this.options.retryAfterMs;
    } else if (this.#failures >= this.options.failuresToBreak) {
      this.#probeAt = Date.now() + this.options.retryAfterMs;
      this.options.onBreak(reason);
    }
  }
}

/** What every `withOptions` view of one wrapped cache shares. */
class SharedState {
  readonly memory: LRUCache<string, { value: JsonValue }>;
  readonly gate: SharedCacheGate;
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
    this.gate = new SharedCacheGate({
      timeoutMs: options.timeoutMs,
      retryAfterMs: options.retryAfterMs,
      failuresToBreak: options.failuresToBreak,
      onBreak: reason => {
        this.health = {
          available: false,
          since: new Date().toISOString(),
          reason,
        };
        // Once per outage, not once per call.
        options.logger.warn(
          'Shared cache unavailable; answering from memory and upstream',
          { reason },
        );
      },
      onReset: () => {
        options.logger.info('Shared cache available again', {
          unavailableSince: this.health.since,
        });
        this.health = { available: true };
        const keys = [...this.pendingDeletes];
        this.pendingDeletes.clear();
        replayDeletes(keys);
      },
    });
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
  /** Wraps the platform cache; a cache that is one already is returned as it is. */
  static wrap(
    cache: CacheService,
    options: ResilientCacheOptions,
  ): ResilientCache {
    if (cache instanceof ResilientCache) {
      return cache;
    }
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
    const { memory, gate } = this.state;
    const outcome = await gate.call(() => this.upstream.get(sharedKey(key)));
    if (!outcome.answered) {
      return memory.get(key)?.value as TValue | undefined;
    }
    const found = outcome.value;
    if (!isEnvelope(found)) {
      // Another replica may have invalidated it (or it is no envelope:
      // not written by a ResilientCache).
      memory.delete(key);
      return undefined;
    }
    const left =
      found.expiresAt !== undefined ? found.expiresAt - Date.now() : undefined;
    if (left !== undefined && left <= 0) {
      memory.delete(key);
      return undefined;
    }
    // Kept for an outage, until the shared copy expires.
    memory.set(
      key,
      { value: found.value },
      { ttl: left ?? this.defaultTtlMs ?? this.state.options.memoryTtlMs },
    );
    return found.value as TValue;
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
    const lifetime = ttl ?? this.defaultTtlMs;
    const envelope: Envelope = {
      stageflowCacheEntry: 1,
      value,
      ...(lifetime !== undefined ? { expiresAt: Date.now() + lifetime } : {}),
    };
    await this.state.gate.call(() =>
      this.upstream.set(
        sharedKey(key),
        envelope as unknown as JsonValue,
        options,
      ),
    );
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
    const outcome = await this.state.gate.call(() =>
      this.upstream.delete(sharedKey(key)),
    );
    if (
      !outcome.answered &&
      this.state.pendingDeletes.size < this.state.options.memoryEntries
    ) {
      this.state.pendingDeletes.add(key);
    }
  }
}
