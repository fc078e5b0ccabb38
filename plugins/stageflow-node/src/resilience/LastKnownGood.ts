import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { StaleMark } from '@stageflow/plugin-stageflow-common';
import { UpstreamError } from './UpstreamError';

/** An answer of {@link LastKnownGood.read}. @public */
export interface LastKnownGoodAnswer<T> {
  value: T;
  /** Set when `value` is the last known good one, not a fresh read. */
  stale?: StaleMark;
}

/** Options of {@link LastKnownGood}. @public */
export interface LastKnownGoodOptions {
  /** The platform cache (Redis in production), shared by the replicas. */
  cache: CacheService;
  logger?: LoggerService;
  /**
   * How long a read may take before the last known good value is served
   * instead (the read goes on and refreshes it). Default 800 ms, so that a
   * card answers within a second with the rest of its work.
   */
  deadlineMs?: number;
  /** How long a last known good value is kept. Default 7 days. */
  keepMs?: number;
  now?: () => number;
}

type JsonValue = Parameters<CacheService['set']>[1];

type Stored = {
  asOf: string;
  value: JsonValue;
};

const KEY_PREFIX = 'stageflow:lkg:';

const LABELS = { git: 'Git host', registry: 'Registry' } as const;

/**
 * Why a failure may be answered from the last known good state: the upstream
 * gave no response, failed (5xx), is rate limited or its circuit is open.
 * Undefined for anything else (a 404, a refusal, a bug), which is never
 * hidden behind an old value.
 *
 * @public
 */
export function staleReasonOf(
  error: unknown,
): Omit<StaleMark, 'asOf'> | undefined {
  let upstream: UpstreamError | undefined;
  for (let e = error as any, depth = 0; e && depth < 5; depth++) {
    if (e instanceof UpstreamError) {
      upstream = e;
      break;
    }
    e = e.cause;
  }
  if (!upstream || !(upstream.unavailable || upstream.rateLimited)) {
    return undefined;
  }
  const who = `${LABELS[upstream.kind]} ${upstream.host}`;
  let what: string;
  if (upstream.rateLimited) {
    what = 'rate limited';
  } else if (upstream.noResponse === 'circuit open') {
    what = 'not answering';
  } else if (upstream.noResponse) {
    what = `not answering (${upstream.noResponse})`;
  } else {
    what = `failing (HTTP ${upstream.status})`;
  }
  return {
    reason: `${who} ${what}`,
    ...(upstream.until ? { until: upstream.until.toISOString() } : {}),
  };
}

/**
 * Who a fact comes from, read from its key (`git:<host>/...`,
 * `registry:<host>/...`, `git:<remote URL>:...`), for a stale reason that
 * names the upstream; undefined for a key of another form.
 */
function upstreamOfKey(key: string): string | undefined {
  const match = /^(git|registry):(.+)$/.exec(key);
  if (!match) {
    return undefined;
  }
  const [, kind, rest] = match;
  // A remote URL (`https://host/...`), else `host/path:tag` or scp-like
  // `user@host:path`, whose port stays.
  const host = /^[a-z][a-z0-9+.-]*:\/\//i.test(rest)
    ? URL.canParse(rest) && new URL(rest).host
    : rest
        .split('/')[0]
        .replace(/^[^@]*@/, '')
        .replace(/:(?!\d+$).*$/, '');
  return host ? `${LABELS[kind as 'git' | 'registry']} ${host}` : undefined;
}

/**
 * Keeps the last good value of each fact in the platform cache, and answers
 * with it, marked stale (age, reason, expected return), when reading the
 * fact fails because its upstream is unavailable, rate limited or its
 * circuit is open, or when the read takes longer than the deadline.
 *
 * Keys name one fact each (e.g. `git:github.com/acme/phippy:releases`,
 * `registry:ghcr.io/acme/phippy:stable:latest`), so that a stage whose
 * registry facts resolved keeps them when its git facts fail.
 *
 * @public
 */
export class LastKnownGood {
  readonly #cache: CacheService;
  readonly #logger?: LoggerService;
  readonly #deadlineMs: number;
  readonly #keepMs: number;
  readonly #now: () => number;

  constructor(options: LastKnownGoodOptions) {
    this.#cache = options.cache;
    this.#logger = options.logger;
    this.#deadlineMs = options.deadlineMs ?? 800;
    this.#keepMs = options.keepMs ?? 7 * 24 * 3600_000;
    this.#now = options.now ?? Date.now;
  }

  async read<T extends JsonValue>(
    key: string,
    load: () => Promise<T>,
  ): Promise<LastKnownGoodAnswer<T>> {
    const fresh = load().then(async value => {
      await this.#store(key, value);
      return value;
    });
    const known = this.#cache
      .get<Stored>(KEY_PREFIX + key)
      .catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(resolve => {
      timer = setTimeout(() => resolve('late'), this.#deadlineMs);
      timer.unref?.();
    });
    try {
      const first = await Promise.race([fresh, late]);
      if (first !== 'late') {
        return { value: first };
      }
      const stored = await known;
      if (!stored) {
        return { value: await fresh };
      }
      fresh.catch(error =>
        this.#logger?.warn('A late read failed; kept the last known value', {
          key,
          error: String(error),
        }),
      );
      return {
        value: stored.value as T,
        stale: {
          asOf: stored.asOf,
          reason: `${upstreamOfKey(key) ?? 'the upstream'}: no answer within ${
            this.#deadlineMs
          } ms`,
        },
      };
    } catch (error) {
      const reason = staleReasonOf(error);
      const stored = reason ? await known : undefined;
      if (!reason || !stored) {
        throw error;
      }
      this.#logger?.info('Answered from the last known good state', {
        key,
        asOf: stored.asOf,
        reason: reason.reason,
      });
      return {
        value: stored.value as T,
        stale: { asOf: stored.asOf, ...reason },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async #store(key: string, value: JsonValue) {
    const stored: Stored = { asOf: new Date(this.#now()).toISOString(), value };
    try {
      await this.#cache.set(
        KEY_PREFIX + key,
        { ...stored },
        {
          ttl: this.#keepMs,
        },
      );
    } catch (error) {
      // A cache outage must not fail a read that succeeded.
      this.#logger?.warn('Could not keep the last known good value', {
        key,
        error: String(error),
      });
    }
  }
}
