import { CacheService } from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { once } from 'node:events';
import { connect } from 'node:net';
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
  // Another replica on the same shared cache, which stays up.
  const other = ResilientCache.wrap(real, {
    logger: mockServices.logger.mock(),
  });
  return { cache: view(real), real, other, state };
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
      await shared.other.set('written-by-another-replica', 'z');
      expect(await cache.get('written-by-another-replica')).toBe('z');
      expect(cache.health().available).toBe(true);
      // The delete made during the outage reached the shared cache.
      expect(await shared.other.get('gone')).toBeUndefined();
    },
  );

  it('forgets what another replica invalidated', async () => {
    const shared = switchableCache();
    const cache = ResilientCache.wrap(shared.cache, {
      logger: mockServices.logger.mock(),
    });
    await cache.set('tag', 'v1');
    await shared.other.delete('tag');
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

  it('stays with the shared cache after a late call or two, not three in a row', async () => {
    const logger = mockServices.logger.mock();
    const shared = switchableCache();
    const calls = { get: 0 };
    const counted: CacheService = {
      ...shared.cache,
      get: key => {
        calls.get += 1;
        return shared.cache.get(key);
      },
    };
    const cache = ResilientCache.wrap(counted, {
      logger,
      timeoutMs: 50,
      retryAfterMs: 60_000,
    });
    await shared.other.set('k', 'shared');
    for (let round = 0; round < 3; round++) {
      shared.state.mode = 'stall';
      await cache.get('k');
      await cache.get('k');
      shared.state.mode = 'up';
      // An answer in between resets the count.
      expect(await cache.get('k')).toBe('shared');
    }
    expect(cache.health().available).toBe(true);
    expect(logger.warn).not.toHaveBeenCalled();

    shared.state.mode = 'fail';
    await cache.get('k');
    await cache.get('k');
    await cache.get('k');
    expect(cache.health()).toMatchObject({
      available: false,
      reason: 'Socket closed unexpectedly',
    });
    // Open: calls skip the shared cache and answer from memory at once.
    shared.state.mode = 'up';
    const before = calls.get;
    expect(await cache.get('k')).toBe('shared');
    expect(calls.get).toBe(before);
  });

  it('sends one probe at a time once the wait is over, and closes on its answer', async () => {
    const logger = mockServices.logger.mock();
    const shared = switchableCache();
    let calls = 0;
    const counted: CacheService = {
      ...shared.cache,
      get: key => {
        calls += 1;
        return shared.cache.get(key);
      },
    };
    const cache = ResilientCache.wrap(counted, {
      logger,
      timeoutMs: 50,
      retryAfterMs: 100,
      failuresToBreak: 1,
    });
    shared.state.mode = 'stall';
    await cache.get('k');
    expect(cache.health().available).toBe(false);
    await new Promise(resolve => setTimeout(resolve, 120));
    calls = 0;
    // The probe stalls too: the circuit stays open, without a second line.
    await Promise.all([cache.get('k'), cache.get('k'), cache.get('k')]);
    expect(calls).toBe(1);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(cache.health().available).toBe(false);

    shared.state.mode = 'up';
    await shared.other.set('k', 'back');
    await new Promise(resolve => setTimeout(resolve, 120));
    expect(await cache.get('k')).toBe('back');
    expect(cache.health().available).toBe(true);
    expect(logger.info).toHaveBeenCalledWith(
      'Shared cache available again',
      expect.anything(),
    );
  });

  it('keeps what it read from the shared cache in memory only until the shared copy expires', async () => {
    const shared = switchableCache();
    const writer = ResilientCache.wrap(shared.cache, {
      logger: mockServices.logger.mock(),
    });
    // A replica that started after the write: its memory copy comes from
    // its read, and must not outlive the value's TTL in an outage.
    const reader = ResilientCache.wrap(shared.cache, {
      logger: mockServices.logger.mock(),
      timeoutMs: 50,
      failuresToBreak: 1,
    });
    await writer.set('tag', 'sha256:1', { ttl: 150 });
    await writer.withOptions({ defaultTtl: 150 }).set('head', 'abc');
    expect(await reader.get('tag')).toBe('sha256:1');
    expect(await reader.get('head')).toBe('abc');
    shared.state.mode = 'fail';
    expect(await reader.get('tag')).toBe('sha256:1');
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(await reader.get('tag')).toBeUndefined();
    expect(await reader.get('head')).toBeUndefined();
  });

  it('counts an answer that waited in the socket while this process was busy', async () => {
    // A shared cache whose answer comes over a real socket: Redis's PING.
    const socket = connect(6379, '127.0.0.1');
    await once(socket, 'connect');
    // What is set is kept here; a read answers once Redis has.
    const stored = new Map<string, any>();
    const overSocket: CacheService = {
      get: key =>
        new Promise(resolve => {
          socket.once('data', () => resolve(stored.get(key)));
          socket.write('PING\r\n');
        }),
      set: async (key, value) => {
        stored.set(key, value);
      },
      delete: async () => {},
      withOptions: () => overSocket,
    };
    const logger = mockServices.logger.mock();
    const cache = ResilientCache.wrap(overSocket, {
      logger,
      timeoutMs: 50,
      failuresToBreak: 1,
    });
    await cache.set('k', 'v');
    try {
      for (let i = 0; i < 5; i++) {
        const read = cache.get('k');
        // Busy past the timeout while Redis answers: the answer waits in
        // the socket, and the next turn of the event loop runs the expired
        // timer before it reads the socket.
        await new Promise<void>(resolve =>
          setImmediate(() => {
            const until = Date.now() + 120;
            while (Date.now() < until) {
              // spin
            }
            resolve();
          }),
        );
        expect(await read).toBe('v');
      }
      expect(cache.health().available).toBe(true);
      expect(logger.warn).not.toHaveBeenCalled();
    } finally {
      socket.destroy();
    }
  });

  it('does not count a slow call as an outage while other calls are answered', async () => {
    const shared = switchableCache();
    const slowKeys = new Set(['slow']);
    const partly: CacheService = {
      ...shared.cache,
      get: key =>
        [...slowKeys].some(slow => key.endsWith(slow))
          ? new Promise(() => {})
          : new Promise(resolve =>
              setTimeout(() => resolve(shared.real.get(key)), 10),
            ),
    };
    const logger = mockServices.logger.mock();
    const cache = ResilientCache.wrap(partly, {
      logger,
      timeoutMs: 50,
      failuresToBreak: 1,
    });
    await shared.other.set('fast', 1);
    const answers = await Promise.all([
      cache.get('slow'),
      ...Array.from({ length: 5 }, () => cache.get('fast')),
    ]);
    expect(answers).toEqual([undefined, 1, 1, 1, 1, 1]);
    expect(cache.health().available).toBe(true);

    // Nothing answered since it began: that is an outage.
    slowKeys.add('fast');
    await cache.get('fast');
    expect(cache.health().available).toBe(false);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('counts a burst of calls that time out together as one failure', async () => {
    const shared = switchableCache();
    const logger = mockServices.logger.mock();
    const cache = ResilientCache.wrap(shared.cache, {
      logger,
      timeoutMs: 50,
    });
    shared.state.mode = 'stall';
    await Promise.all(Array.from({ length: 20 }, () => cache.get('k')));
    expect(cache.health().available).toBe(true);
    // One after the other, three are an outage.
    await cache.get('k');
    expect(cache.health().available).toBe(true);
    await cache.get('k');
    expect(cache.health().available).toBe(false);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('keeps its envelopes under keys of their own, which an earlier version does not read', async () => {
    const shared = switchableCache();
    const cache = ResilientCache.wrap(shared.cache, {
      logger: mockServices.logger.mock(),
    });
    await cache.set('tag', 'sha256:1', { ttl: 60_000 });
    // An earlier replica reads the plain key: nothing, not an envelope.
    expect(await shared.real.get('tag')).toBeUndefined();
    expect(await cache.get('tag')).toBe('sha256:1');
  });

  it('wraps a cache once: wrapping a ResilientCache returns it', async () => {
    const shared = switchableCache();
    const cache = ResilientCache.wrap(shared.cache, {
      logger: mockServices.logger.mock(),
    });
    expect(
      ResilientCache.wrap(cache, { logger: mockServices.logger.mock() }),
    ).toBe(cache);
  });
});
