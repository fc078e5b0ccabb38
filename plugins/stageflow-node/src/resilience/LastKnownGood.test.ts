import { randomUUID } from 'node:crypto';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { LastKnownGood } from './LastKnownGood';
import { UpstreamError } from './UpstreamError';

function redisCache() {
  return CacheManager.fromConfig(
    new ConfigReader({
      backend: {
        cache: { store: 'redis', connection: 'redis://127.0.0.1:6379' },
      },
    }),
    { logger: mockServices.logger.mock() },
  ).forPlugin(`stageflow-lkg-${randomUUID()}`);
}

const failure = (
  options: Partial<ConstructorParameters<typeof UpstreamError>[0]>,
) =>
  new UpstreamError({
    kind: 'git',
    host: 'github.com',
    operation: 'list tags',
    ...options,
  });

describe('LastKnownGood on Redis', () => {
  const asOf = '2026-12-01T08:00:00.000Z';
  const lkg = (cache = redisCache(), deadlineMs = 1000) =>
    new LastKnownGood({ cache, deadlineMs, now: () => Date.parse(asOf) });

  it('answers fresh values and keeps them', async () => {
    const known = lkg();
    await expect(
      known.read('git:acme/phippy:tags', async () => ['v1']),
    ).resolves.toEqual({
      value: ['v1'],
    });
  });

  it.each([
    [
      failure({ noResponse: 'connection refused' }),
      { reason: 'Git host github.com not answering (connection refused)' },
    ],
    [
      failure({ status: 503 }),
      { reason: 'Git host github.com failing (HTTP 503)' },
    ],
    [
      failure({
        noResponse: 'rate limited',
        until: new Date('2026-12-01T08:53:00Z'),
      }),
      {
        reason: 'Git host github.com rate limited',
        until: '2026-12-01T08:53:00.000Z',
      },
    ],
    [
      failure({
        noResponse: 'circuit open',
        until: new Date('2026-12-01T08:01:00Z'),
      }),
      {
        reason: 'Git host github.com not answering',
        until: '2026-12-01T08:01:00.000Z',
      },
    ],
  ])(
    'serves the last good value, marked stale, when the upstream fails: %s',
    async (error, mark) => {
      const cache = redisCache();
      await lkg(cache).read('git:acme/phippy:tags', async () => ['v1', 'v2']);
      // Another replica, the same Redis: the value is shared.
      const answer = await lkg(cache).read('git:acme/phippy:tags', async () => {
        throw error;
      });
      expect(answer).toEqual({ value: ['v1', 'v2'], stale: { asOf, ...mark } });
    },
  );

  it('keeps facts apart: a failing fact does not stand in for another', async () => {
    const cache = redisCache();
    await lkg(cache).read(
      'registry:ghcr.io/acme/phippy:stable:latest',
      async () => 'sha256:1',
    );
    await expect(
      lkg(cache).read('git:acme/phippy:tags', async () => {
        throw failure({ noResponse: 'timed out' });
      }),
    ).rejects.toThrow('no response (timed out)');
  });

  it('never hides a refusal or a missing thing behind an old value', async () => {
    const cache = redisCache();
    await lkg(cache).read('k', async () => 1);
    await expect(
      lkg(cache).read('k', async () => {
        throw new NotFoundError('gone');
      }),
    ).rejects.toThrow('gone');
    await expect(
      lkg(cache).read('k', async () => {
        throw failure({ status: 401, detail: 'authentication failed' });
      }),
    ).rejects.toThrow('HTTP 401');
  });

  it.each([
    ['git:github.com/acme/phippy:releases:v{version}', 'Git host github.com'],
    ['registry:localhost:5000/acme/phippy:latest', 'Registry localhost:5000'],
    [
      'git:https://git.acme.example/acme/phippy.git:branch:develop',
      'Git host git.acme.example',
    ],
  ])('names the upstream of %s when it is too slow', async (key, who) => {
    const cache = redisCache();
    await lkg(cache).read(key, async () => 'old');
    const answer = await lkg(cache, 10).read(
      key,
      () =>
        new Promise<string>(resolve => setTimeout(() => resolve('new'), 100)),
    );
    expect(answer.stale?.reason).toBe(`${who}: no answer within 10 ms`);
  });

  it('answers from the last good value when the read takes longer than the deadline, and refreshes it when the read ends', async () => {
    const cache = redisCache();
    await lkg(cache).read('k', async () => 'old');
    let finish: (value: string) => void = () => {};
    const slow = new Promise<string>(resolve => {
      finish = resolve;
    });
    const answer = await lkg(cache, 50).read('k', () => slow);
    expect(answer).toEqual({
      value: 'old',
      stale: { asOf, reason: 'the upstream: no answer within 50 ms' },
    });
    finish('new');
    await slow;
    await new Promise(r => setTimeout(r, 50));
    await expect(
      lkg(cache).read('k', async () => {
        throw failure({ noResponse: 'connection refused' });
      }),
    ).resolves.toMatchObject({ value: 'new' });
  });
});
