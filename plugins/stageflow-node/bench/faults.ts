/*
 * Fault benchmark: 100 card renders per upstream fault, next to a healthy
 * run in the same process. A render is what `GET .../stages` answers:
 * `DefaultReleaseService.getStages` for the demo's Phippy, its images in a
 * real docker-registry and its repository behind the test GitHub server.
 * Moving facts are read again on every render (a TTL of 0: the case of a
 * card whose facts have expired), through their last known good state.
 * Faults: registry down (refused), GitHub down (refused), GitHub not
 * answering, GitHub rate limited (primary 403, reset an hour ahead) and 429
 * with retry-after 30.
 *
 * Run: yarn bench:faults
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readStageflowConfig } from '../src/config';
import { DefaultGitService } from '../src/git';
import { DefaultRegistryService } from '../src/registry';
import { DefaultReleaseService } from '../src/release';
import { DEFAULT_RESILIENCE, UpstreamPolicies } from '../src/resilience';
import { startDemoUpstreams } from '../src/testUtils/demoUpstreams';

const RENDERS = 100;

const silent: LoggerService = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silent,
};

/** A host that accepts connections and never answers. */
async function silentServer() {
  const server = createServer(() => {});
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise(r => server.close(r));
  return `http://127.0.0.1:${port}`;
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)
  ];
}

async function main() {
  const upstreams = await startDemoUpstreams();
  const { github, registry, githubHost } = upstreams;
  // The platform cache (Redis in production) outlives a backend restart:
  // every case starts with what the healthy run left in it.
  const cache = CacheManager.fromConfig(
    new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    { logger: silent },
  ).forPlugin('stageflow');
  const downUrl = await closedPortUrl();
  const blackHole = await silentServer();
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'phippy', annotations: upstreams.phippyAnnotations },
    spec: { type: 'website', owner: 'team-a' },
  };

  interface Scenario {
    name: string;
    registryUrl?: string;
    githubUrl?: string;
    before?: () => void;
  }
  const scenarios: Scenario[] = [
    { name: 'healthy' },
    { name: 'registry down', registryUrl: downUrl },
    { name: 'GitHub down', githubUrl: `${downUrl}/api/v3` },
    // Not in the closing line: it shows LastKnownGood's deadline while
    // reads wait for their timeout, until the breaker opens.
    { name: 'GitHub not answering', githubUrl: `${blackHole.url}/api/v3` },
    {
      name: 'GitHub rate limited (403)',
      // The budget runs out on the first request of the case; GitHub says
      // so on that answer (x-ratelimit-remaining: 0), 403s after it.
      before: () =>
        github.setRateLimit({
          mode: 'primary',
          resetAt: new Date(Date.now() + 3600_000),
          remaining: 1,
        }),
    },
    {
      name: '429 retry-after 30',
      before: () => github.setRateLimit({ mode: '429', retryAfterSeconds: 30 }),
    },
  ];

  const results: Record<
    string,
    {
      limitedAnswers: number;
      p95: number;
      github: number;
      githubAfterFirst: number;
      registry: number;
      stale: number;
      errors: number;
    }
  > = {};
  for (const scenario of scenarios) {
    github.setRateLimit(undefined);
    scenario.before?.();
    const sent = { github: [] as number[], registry: 0 };
    const githubBefore = github.requests.length;
    const registryUrl = scenario.registryUrl ?? registry.url;
    const githubUrl = scenario.githubUrl ?? github.apiBaseUrl;
    // A new backend process per scenario: its policies know nothing yet;
    // the platform cache (Redis in production) still holds the last good state.
    const policies = new UpstreamPolicies(
      { defaults: DEFAULT_RESILIENCE, hosts: new Map() },
      {
        logger: silent,
        fetch: (input, init) => {
          const url = String(input instanceof Request ? input.url : input);
          if (url.startsWith(githubUrl)) {
            sent.github.push(Date.now());
          } else if (url.startsWith(registryUrl)) {
            sent.registry++;
          }
          return fetch(input, init);
        },
      },
    );
    // The backend's own wiring, from config: one client per repository,
    // its ETag cache, the host policies (counting what is sent).
    const upstreamConfig = upstreams.config as any;
    const config = new ConfigReader({
      integrations: {
        github: [
          { host: githubHost, apiBaseUrl: githubUrl, token: 'test-token' },
        ],
      },
      stageflow: {
        registries: [
          { ...upstreamConfig.stageflow.registries[0], url: registryUrl },
        ],
        // Every render reads the moving facts again: a card whose facts
        // have expired, the case faults are about.
        cache: { ttlSeconds: 0 },
      },
    });
    const release = DefaultReleaseService.create({
      catalog: catalogServiceMock({ entities: [entity] }),
      permissions: mockServices.permissions(),
      // Reads are not audited; a write would be.
      auditor: {
        createEvent: async () => ({
          success: async () => {},
          fail: async () => {},
        }),
      },
      auth: mockServices.auth(),
      cache,
      git: DefaultGitService.fromConfig(config, { logger: silent, policies }),
      registry: DefaultRegistryService.fromConfig(config, {
        logger: silent,
        policies,
      }),
      logger: silent,
      config: readStageflowConfig(config),
      history: { record: async () => {} },
      lock: { withLock: (_key, fn) => fn() },
      announcer: { announce: async () => {} },
    });
    const credentials = mockCredentials.user();
    const renderOnce = () =>
      release.getStages('component:default/phippy', { credentials });
    const durations: number[] = [];
    let stale = 0;
    let errors = 0;
    let afterFirst = 0;
    for (let i = 0; i < RENDERS; i++) {
      if (i === 1) {
        afterFirst = sent.github.length;
      }
      const start = performance.now();
      const answer = await renderOnce();
      durations.push(performance.now() - start);
      if (answer.stale) {
        stale++;
      }
      errors += answer.stages.filter(s => s.status === 'error').length;
    }
    const limitedAnswers = github.requests
      .slice(githubBefore)
      .filter(r => r.status === 403 || r.status === 429).length;
    results[scenario.name] = {
      limitedAnswers,
      p95: p95(durations),
      github: sent.github.length,
      githubAfterFirst: sent.github.length - afterFirst,
      registry: sent.registry,
      stale,
      errors,
    };
    // eslint-disable-next-line no-console
    console.log(
      `${scenario.name.padEnd(26)} p95 ${results[scenario.name].p95
        .toFixed(1)
        .padStart(7)} ms  ` +
        `GitHub requests ${String(sent.github.length).padStart(4)} (${String(
          results[scenario.name].githubAfterFirst,
        ).padStart(3)} after the first render)  registry requests ${String(
          sent.registry,
        ).padStart(4)}  ` +
        `rate-limit answers ${String(limitedAnswers).padStart(2)}  ` +
        `stale renders ${String(stale).padStart(3)}  error stages ${errors}`,
    );
  }
  github.setRateLimit(undefined);

  const healthy = results.healthy;
  const down = results['GitHub down'];
  const limited = results['GitHub rate limited (403)'];
  const tooMany = results['429 retry-after 30'];
  // Honoured: the first render's requests met the 429 (its concurrent
  // reads may each meet it), and none followed within its 30 s; every
  // render answered, from the last known state.
  const retryAfterHonoured =
    tooMany.githubAfterFirst === 0 &&
    tooMany.limitedAnswers > 0 &&
    tooMany.errors === 0 &&
    tooMany.stale === RENDERS;
  // eslint-disable-next-line no-console
  console.log(
    `faults: healthy_p95_ms=${Math.round(healthy.p95)} down_p95_ms=${Math.round(
      down.p95,
    )} ratelimited_upstream=${
      limited.limitedAnswers
    } retry_after_honoured=${retryAfterHonoured}`,
  );
  blackHole.close();
  await upstreams.stop();
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
