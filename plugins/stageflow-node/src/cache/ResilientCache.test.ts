import { CacheService } from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ResilientCache } from './ResilientCache';

/**
 * The platform cache (its memory store) behind a switch that stages the
 * two faces of a Redis outage: calls that never settle (the platform's
 * client queues them while it has no connection) and calls that fail.
 * The same wrapper against real Redis cut by a TCP proxy is tested with the
 * backend's cache service factory.
 */
function switchableCache() {
  const real = CacheManager.fromConfig(
    mockServices.rootConfig({ data: {} }),
  ).forPlugin('stageflow');
  const state = { mode: 'up' as 'up' | 'stall' | 'fail' };
  const guard = <T>(call: () => Promise<T>): Promise<T> => {
    if (state.mode === 'stall') {
      return new Promise<T>(() => {});
    }
    if (state.mode === 'fail') {
      return Promise.reject(new Error('Socket closed unexpectedly'));
    }
    return call();
  };
  const view = (cache: CacheService): CacheService => ({
    get: key => guard(() => cache.get(key)),
    set: (key, value, options) => guard(() => cache.set(key, value, options)),
    delete: key => guard(() => cache.delete(key)),
    withOptions: options => view(cache.withOptions(options)),
  });
  return { cache: view(real), real, state };
}

describe('ResilientCache', () => {
  it.each(['stall', 'fail'] as const)(
    'answers from memory while the shared cache is down (%s), and from it after',
    async mode => {
      const logger = mockServices.logger.mock();
      const shared = switchableCache();
      const cache = ResilientCache.wrap(shared.cache, {
        logger,
        timeoutMs: 100,
        retryAfterMs: 200,
      });
      await cache.set('digest', { sha: 'abc' });
      await cache.set('gone', 1);
      expect(await cache.get('digest')).toEqual({ sha: 'abc' });
      expect(cache.health().available).toBe(true);

      shared.state.mode = mode;
      // What this replica knows answers; the rest is a miss (the caller
      // reads its upstream), never a hang or an error.
      expect(await cache.get('digest')).toEqual({ sha: 'abc' });
      expect(await cache.get('never-set')).toBeUndefined();
      await cache.set('written-during-outage', 'x');
      await cache.delete('gone');
      expect(await cache.get('written-during-outage')).toBe('x');
      expect(await cache.get('gone')).toBeUndefined();
      expect(cache.health()).toMatchObject({ available: false });
      // One line per outage, not one per call.
      expect(logger.warn).toHaveBeenCalledTimes(1);

      shared.state.mode = 'up';
      await new Promise(resolve => setTimeout(resolve, 250));
      await shared.real.set('written-by-another-replica', 'z');
      expect(await cache.get('written-by-another-replica')).toBe('z');
      expect(cache.health().available).toBe(true);
      // The delete made during the outage reached the shared cache.
      expect(await shared.real.get('gone')).toBeUndefined();
    },
  );

  it('forgets what another replica invalidated', async () => {
    const shared = switchableCache();
    const cache = ResilientCache.wrap(shared.cache, {
      logger: mockServices.logger.mock(),
    });
    await cache.set('tag', 'v1');
    await shared.real.delete('tag');
    expect(await cache.get('tag')).toBeUndefined();
    shared.state.mode = 'fail';
    expect(await cache.get('tag')).toBeUndefined();
  });

  it('keeps each TTL in memory too', async () => {
    const shared = switchableCache();
    const cache = ResilientCache.wrap(shared.cache, {
      logger: mockServices.logger.mock(),
      timeoutMs: 100,
    });
    await cache.withOptions({ defaultTtl: 1 }).set('short', 1);
    await cache.set('long', 2, { ttl: { hours: 1 } });
    shared.state.mode = 'fail';
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('long')).toBe(2);
  });
});
