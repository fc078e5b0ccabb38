import {
  CacheService,
  CacheServiceOptions,
  CacheServiceSetOptions,
  coreServices,
  createServiceFactory,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { readDurationFromConfig } from '@backstage/config';
import KeyvRedis from '@keyv/redis';
import { createClient } from '@redis/client';
import { ResilientCache } from '@stageflow/plugin-stageflow-node';
import Keyv from 'keyv';
import { createHash } from 'node:crypto';

type RedisClient = ReturnType<typeof createClient>;
type JsonValue = Parameters<CacheService['set']>[1];

// Longer than a healthy Redis takes (about 1 ms on a LAN), far shorter
// than an upstream read it stands in for.
const CALL_TIMEOUT_MS = 250;
const STARTUP_WAIT_MS = 3000;
const PING_INTERVAL_MS = 5000;
const PING_TIMEOUT_MS = 2000;

/** Reconnects after 100 ms, doubling up to 2 s, for ever. */
function reconnectStrategy(retries: number): number {
  return Math.min(100 * 2 ** retries, 2000);
}

function ttlMs(ttl: CacheServiceSetOptions['ttl']): number | undefined {
  if (ttl === undefined || typeof ttl === 'number') {
    return ttl;
  }
  const now = Date.now();
  const date = new Date(now);
  date.setFullYear(date.getFullYear() + (ttl.years ?? 0));
  date.setMonth(date.getMonth() + (ttl.months ?? 0));
  return (
    date.getTime() -
    now +
    (ttl.weeks ?? 0) * 604_800_000 +
    (ttl.days ?? 0) * 86_400_000 +
    (ttl.hours ?? 0) * 3_600_000 +
    (ttl.minutes ?? 0) * 60_000 +
    (ttl.seconds ?? 0) * 1000 +
    (ttl.milliseconds ?? 0)
  );
}

/**
 * The platform's key scheme (base64, or its sha256 when long), so that a
 * replica on this factory and one on the default share their entries.
 */
function normalizedKey(key: string): string {
  const encoded = Buffer.from(key).toString('base64');
  return encoded.length < 200
    ? encoded
    : createHash('sha256').update(key).digest('base64');
}

/** A plugin's cache on the shared Redis client; failures reject. */
class RedisCacheClient implements CacheService {
  constructor(
    private readonly keyv: (defaultTtl: number | undefined) => Keyv,
    private readonly defaultTtl: number | undefined,
    private readonly client: Keyv = keyv(defaultTtl),
  ) {}

  async get<TValue extends JsonValue>(
    key: string,
  ): Promise<TValue | undefined> {
    return this.client.get(normalizedKey(key));
  }

  async set(
    key: string,
    value: JsonValue,
    options: CacheServiceSetOptions = {},
  ): Promise<void> {
    await this.client.set(normalizedKey(key), value, ttlMs(options.ttl));
  }

  async delete(key: string): Promise<void> {
    await this.client.delete(normalizedKey(key));
  }

  withOptions(options: CacheServiceOptions): CacheService {
    return new RedisCacheClient(
      this.keyv,
      ttlMs(options.defaultTtl) ?? this.defaultTtl,
    );
  }
}

async function connectRedis(
  config: RootConfigService,
  logger: LoggerService,
): Promise<RedisClient> {
  const connection = config.get('backend.cache.connection') as
    | string
    | { url: string; socket?: object; [key: string]: unknown };
  const { socket, ...options } =
    typeof connection === 'string' ? { url: connection } : connection;
  const client = createClient({
    ...options,
    // Commands fail at once while disconnected instead of queueing for
    // ever; the ResilientCache in front answers from memory meanwhile.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy, ...socket },
  });
  // Without an error listener the client throws out of its socket handler
  // and never reconnects: the outage becomes a hang.
  let down = false;
  client.on('error', error => {
    if (!down) {
      down = true;
      logger.warn('Redis unavailable; reconnecting', {
        error: (error as Error).message,
      });
    }
  });
  client.on('ready', () => {
    if (down) {
      down = false;
      logger.info('Redis available again');
    }
  });
  // One client for every plugin: each store listens to its events.
  client.setMaxListeners(0);
  // Start-up waits a moment for Redis, and starts without it when it is
  // down: the client keeps reconnecting, reported by the error listener.
  await Promise.race([
    client.connect().catch(() => undefined),
    new Promise(resolve => setTimeout(resolve, STARTUP_WAIT_MS).unref()),
  ]);
  return client;
}

/**
 * A connection that stays open but carries nothing (a lost network, a
 * half-open socket) raises no error: the client's handshake, commands and
 * pings would wait for ever. A ping without an answer in time, or a
 * connection that is not ready for a whole interval, is dropped, and the
 * client connects again.
 */
function watchConnection(client: RedisClient, logger: LoggerService) {
  let checking = false;
  let notReadySince: number | undefined;
  const reconnect = async (reason: string) => {
    logger.warn('Redis gives no answer; connecting again', { reason });
    await client.disconnect().catch(() => undefined);
    client.connect().catch(() => undefined);
  };
  const timer = setInterval(async () => {
    if (checking || !client.isOpen) {
      return;
    }
    checking = true;
    try {
      if (!client.isReady) {
        notReadySince ??= Date.now();
        if (Date.now() - notReadySince >= PING_INTERVAL_MS) {
          notReadySince = undefined;
          await reconnect('connection not ready');
        }
        return;
      }
      notReadySince = undefined;
      const answered = await Promise.race([
        client.ping().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>(resolve =>
          setTimeout(() => resolve(false), PING_TIMEOUT_MS).unref(),
        ),
      ]);
      if (!answered && client.isReady) {
        await reconnect('ping unanswered');
      }
    } finally {
      checking = false;
    }
  }, PING_INTERVAL_MS / 2);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The platform cache service, with a Redis client that reconnects after an
 * outage and a {@link ResilientCache} in front of every plugin's cache (a
 * short timeout per call, memory as the fallback). Stores other than a
 * single Redis server use the platform's own cache manager.
 */
export const resilientCacheServiceFactory = createServiceFactory({
  service: coreServices.cache,
  deps: {
    config: coreServices.rootConfig,
    logger: coreServices.rootLogger,
    rootLifecycle: coreServices.rootLifecycle,
    plugin: coreServices.pluginMetadata,
  },
  async createRootContext({ config, logger, rootLifecycle }) {
    const cacheLogger = logger.child({ type: 'cacheManager' });
    const store = config.getOptionalString('backend.cache.store') ?? 'memory';
    if (store !== 'redis' || config.has('backend.cache.redis.cluster')) {
      const manager = CacheManager.fromConfig(config, { logger });
      return {
        forPlugin: (pluginId: string) =>
          ResilientCache.wrap(manager.forPlugin(pluginId), {
            logger: cacheLogger.child({ plugin: pluginId }),
            timeoutMs: CALL_TIMEOUT_MS,
          }),
      };
    }
    const client = await connectRedis(config, cacheLogger);
    const stopWatching = watchConnection(client, cacheLogger);
    rootLifecycle.addShutdownHook(async () => {
      stopWatching();
      await client.disconnect().catch(() => undefined);
    });
    const namespacePrefix = config.getOptionalString(
      'backend.cache.redis.client.namespace',
    );
    const defaultTtl =
      typeof config.getOptional('backend.cache.defaultTtl') === 'number'
        ? config.getNumber('backend.cache.defaultTtl')
        : ttlMs(
            config.has('backend.cache.defaultTtl')
              ? readDurationFromConfig(config, {
                  key: 'backend.cache.defaultTtl',
                })
              : undefined,
          );
    return {
      forPlugin: (pluginId: string) => {
        const redisStore = new KeyvRedis(client as any, {
          keyPrefixSeparator: ':',
          throwErrors: true,
        });
        const namespace = namespacePrefix
          ? `${namespacePrefix}:${pluginId}`
          : pluginId;
        const keyv = (ttl: number | undefined) =>
          new Keyv({
            namespace,
            ttl,
            store: redisStore,
            emitErrors: false,
            throwOnErrors: true,
            useKeyPrefix: false,
          });
        return ResilientCache.wrap(new RedisCacheClient(keyv, defaultTtl), {
          logger: cacheLogger.child({ plugin: pluginId }),
          timeoutMs: CALL_TIMEOUT_MS,
        });
      },
    };
  },
  async factory({ plugin }, root) {
    return root.forPlugin(plugin.getId());
  },
});
