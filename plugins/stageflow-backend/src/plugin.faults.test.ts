import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DemoUpstreams,
  TcpProxy,
  startDemoUpstreams,
  startTcpProxy,
} from '@stageflow/plugin-stageflow-node/testUtils';
import request from 'supertest';
import { stageflowPlugin } from './plugin';

/**
 * The card's routes while GitHub is down, rate limited or answering 429:
 * they answer from the last known state, marked stale, and a rate limit
 * costs no request until its reset. GitHub (the test server over a real
 * repository) sits behind a TCP proxy the test cuts; the images are in a
 * real docker-registry.
 */
jest.setTimeout(90_000);

const STAGES = '/api/stageflow/v1/entities/component/default/phippy/stages';
const RELEASES = '/api/stageflow/v1/entities/component/default/phippy/releases';
const COMPARE =
  '/api/stageflow/v1/entities/component/default/phippy/compare?from=prod&to=staging';

describe('stageflowPlugin while GitHub fails', () => {
  let upstreams: DemoUpstreams;
  let proxy: TcpProxy;

  beforeAll(async () => {
    upstreams = await startDemoUpstreams();
    const apiPort = Number(new URL(upstreams.github.apiBaseUrl).port);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: apiPort });
  });

  afterAll(async () => {
    await proxy?.close();
    await upstreams?.stop();
  });

  afterEach(() => {
    upstreams.github.setRateLimit(undefined);
    proxy.restore();
  });

  // A backend process of its own per test: its policies (rate-limit gate,
  // breaker) start closed, as after a restart.
  async function startBackend(options: { warm?: boolean } = {}) {
    const host = `127.0.0.1:${proxy.port}`;
    const config = upstreams.config as any;
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        mockServices.rootConfig.factory({
          data: {
            ...config,
            integrations: {
              github: [
                {
                  host,
                  apiBaseUrl: `http://${host}/api/v3`,
                  token: 'test-token',
                },
              ],
            },
            stageflow: {
              ...config.stageflow,
              // Every render reads the moving facts again: what a card
              // sees once their TTL has passed. Not the default (60 s)
              // because each fault must reach the upstream call it is
              // about on the next request, not a minute later.
              cache: { ttlSeconds: 0 },
              resilience: {
                retries: 0,
                breaker: { consecutiveFailures: 5, halfOpenAfterMs: 200 },
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'phippy',
                annotations: {
                  ...upstreams.phippyAnnotations,
                  'backstage.io/source-location': `url:http://${host}/acme/phippy/tree/develop/`,
                },
              },
              spec: { type: 'website', owner: 'team-a' },
            },
          ],
        }),
      ],
    });
    const get = (path: string) => request(backend.server).get(path);
    if (options.warm === false) {
      return { backend, get, healthy: undefined, releases: undefined };
    }
    const healthy = await get(STAGES);
    expect(healthy.status).toBe(200);
    expect(healthy.body.stale).toBeUndefined();
    expect(
      healthy.body.stages.map((s: any) => [s.name, s.status, s.version]),
    ).toEqual([
      ['staging', 'ok', expect.stringMatching(/^v1\.3\.0-2-g/)],
      ['prod', 'ok', '1.2.1'],
    ]);
    const releases = await get(RELEASES);
    expect(releases.status).toBe(200);
    expect(releases.body.stale).toBeUndefined();
    return { backend, get, healthy: healthy.body, releases: releases.body };
  }

  it('answers the card from the last known state, marked stale, while GitHub is down, and fresh once it is back', async () => {
    const { backend, get, healthy, releases } = await startBackend();
    try {
      proxy.cut('refuse');
      const stages = await get(STAGES);
      expect(stages.status).toBe(200);
      expect(stages.body).toEqual({
        ...healthy,
        stale: {
          asOf: expect.any(String),
          reason: expect.stringMatching(
            /^Git host 127\.0\.0\.1:\d+ not answering/,
          ),
        },
      });
      expect(Date.parse(stages.body.stale.asOf)).toBeLessThanOrEqual(
        Date.now(),
      );
      const stale = await get(RELEASES);
      expect(stale.status).toBe(200);
      expect(stale.body.releases).toEqual(releases.releases);
      expect(stale.body.stale.reason).toMatch(/not answering/);

      proxy.restore();
      let back = await get(STAGES);
      for (let i = 0; i < 50 && back.body.stale; i++) {
        await new Promise(resolve => setTimeout(resolve, 100));
        back = await get(STAGES);
      }
      expect(back.body).toEqual(healthy);
    } finally {
      await backend.stop();
    }
  });

  it('keeps what the registry gave when GitHub fails and nothing is known of it', async () => {
    proxy.cut('refuse');
    const { backend, get } = await startBackend({ warm: false });
    try {
      const res = await get(STAGES);
      expect(res.status).toBe(200);
      expect(res.body.stale).toBeUndefined();
      const [staging, prod] = res.body.stages;
      for (const stage of [staging, prod]) {
        expect(stage).toMatchObject({
          status: 'error',
          digest: expect.stringMatching(/^sha256:/),
          revision: expect.stringMatching(/^[0-9a-f]{40}$/),
        });
      }
      expect(staging.message).toMatch(
        /^Could not check it against branch develop: Git host/,
      );
      expect(prod.message).toMatch(/^Could not read releases: Git host/);
      expect((await get(RELEASES)).status).toBe(502);
    } finally {
      await backend.stop();
    }
  });

  it('sends GitHub nothing while it is rate limited, and answers stages, releases and compare from the last known state', async () => {
    const { github } = upstreams;
    const { backend, get, healthy } = await startBackend();
    try {
      const resetAt = new Date(Date.now() + 3600_000);
      github.setRateLimit({ mode: 'primary', resetAt });
      // The render that meets the 403 learns the reset time.
      const first = await get(STAGES);
      expect(first.status).toBe(200);
      expect(first.body.stale).toEqual({
        asOf: expect.any(String),
        reason: expect.stringMatching(
          /^Git host 127\.0\.0\.1:\d+ rate limited$/,
        ),
        until: new Date(
          Math.floor(resetAt.getTime() / 1000) * 1000,
        ).toISOString(),
      });

      const before = github.requests.length;
      for (let i = 0; i < 5; i++) {
        const stages = await get(STAGES);
        expect(stages.status).toBe(200);
        // Staging's digest and revision resolved: it is not an error.
        expect(stages.body.stages).toEqual(healthy.stages);
        expect(stages.body.stale.until).toBe(first.body.stale.until);
        const releases = await get(RELEASES);
        expect(releases.status).toBe(200);
        expect(releases.body.stale.reason).toMatch(/rate limited/);
        const compare = await get(COMPARE);
        expect(compare.status).toBe(200);
        expect(compare.body.aheadBy).toBe(5);
        expect(compare.body.stale.reason).toMatch(/rate limited/);
      }
      expect(github.requests.length).toBe(before);
    } finally {
      await backend.stop();
    }
  });

  it("honours a 429's retry-after: one request meets it, none follows until it passes", async () => {
    const { github } = upstreams;
    const { backend, get, healthy } = await startBackend();
    try {
      github.setRateLimit({ mode: '429', retryAfterSeconds: 30 });
      const sentAt = Date.now();
      const first = await get(STAGES);
      expect(first.status).toBe(200);
      expect(first.body.stages).toEqual(healthy.stages);
      const until = Date.parse(first.body.stale.until);
      expect(until).toBeGreaterThanOrEqual(sentAt + 29_000);
      expect(until).toBeLessThanOrEqual(Date.now() + 31_000);
      const answered429 = github.requests.filter(r => r.status === 429).length;
      expect(answered429).toBeGreaterThan(0);

      const before = github.requests.length;
      for (let i = 0; i < 5; i++) {
        const stages = await get(STAGES);
        expect(stages.status).toBe(200);
        expect(stages.body.stale.reason).toMatch(/rate limited/);
      }
      expect(github.requests.length).toBe(before);
    } finally {
      await backend.stop();
    }
  });
});
