import {
  CacheService,
  DatabaseService,
  HttpRouterService,
  LifecycleService,
} from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';

const CHECK_TIMEOUT_MS = 1000;

/** The outcome of one check: `ok`, or what is wrong. */
type Check = { status: 'ok' } | { status: 'error'; message: string };

async function within(
  check: () => Promise<unknown>,
  what: string,
): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`${what} gave no answer in ${CHECK_TIMEOUT_MS} ms`),
            ),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'error', message: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

type CacheHealth = { available: boolean; reason?: string };

/**
 * A round trip through the cache. A `ResilientCache` answers from memory
 * when the shared cache is down, so its own account is what counts (the
 * probe call also lets it notice that the shared cache is back).
 */
async function checkCache(cache: CacheService): Promise<Check> {
  const probe = await within(async () => {
    await cache.set('readiness-probe', Date.now(), { ttl: 60_000 });
    await cache.get('readiness-probe');
  }, 'The cache');
  const health = (cache as { health?: () => CacheHealth }).health?.call(cache);
  if (health && !health.available) {
    return {
      status: 'error',
      message: `The shared cache is unavailable: ${
        health.reason ?? 'no answer'
      }`,
    };
  }
  return probe;
}

/**
 * `GET /readiness` (unauthenticated): whether this replica started, and
 * whether its database and shared cache answer. A replica that did not
 * start answers 503. A lost database or cache is reported as `degraded`
 * with 200, because the replica still answers (slower, or marked stale)
 * and taking every replica out of service would turn a partial outage into
 * a full one; `?strict=true` answers 503 for those too, for monitoring.
 */
export function useReadiness(options: {
  httpRouter: HttpRouterService;
  lifecycle: LifecycleService;
  database: DatabaseService;
  cache: CacheService;
}) {
  const { httpRouter, lifecycle, database, cache } = options;
  let started = false;
  // Runs only once the plugin's init finished without an error.
  lifecycle.addStartupHook(() => {
    started = true;
  });
  const router = Router();
  router.get('/readiness', async (req, res) => {
    const [databaseCheck, cacheCheck] = await Promise.all([
      within(
        async () => (await database.getClient()).raw('select 1'),
        'The database',
      ),
      checkCache(cache),
    ]);
    const checks = {
      start: started
        ? ({ status: 'ok' } as Check)
        : ({
            status: 'error',
            message: 'Stageflow has not started, or failed to start',
          } as Check),
      database: databaseCheck,
      cache: cacheCheck,
    };
    const degraded =
      databaseCheck.status !== 'ok' || cacheCheck.status !== 'ok';
    let status: 'ok' | 'degraded' | 'error' = degraded ? 'degraded' : 'ok';
    if (!started) {
      status = 'error';
    }
    const strict = req.query.strict === 'true';
    res
      .status(status === 'ok' || (status === 'degraded' && !strict) ? 200 : 503)
      .json({ status, checks });
  });
  httpRouter.use(router);
  httpRouter.addAuthPolicy({ path: '/readiness', allow: 'unauthenticated' });
}
