/*
 * Fault benchmark: 100 card renders per upstream fault, next to a healthy
 * run in the same process. A render reads the facts a Stages card needs, each
 * through LastKnownGood (the resolver that will call it is being moved, so
 * this harness drives the clients directly): the digest of the two oneflow
 * stage tags from a real docker-registry, and the releases from the test
 * GitHub server. Faults: registry down (refused), GitHub down (refused),
 * GitHub rate limited (primary 403, reset an hour ahead) and 429 with
 * retry-after 30.
 *
 * Run: yarn bench:faults
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { ConfigReader } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { DistributionRegistryClient, pushImage } from '../src/registry';
import { createGithubOctokit, GithubGitClient, listReleases } from '../src/git';
import {
  DEFAULT_RESILIENCE,
  LastKnownGood,
  UpstreamPolicies,
} from '../src/resilience';
import { startTestRegistry } from '../src/testUtils/registry/registryServer';
import { startFakeGithubServer } from '../src/testUtils/git/fakeGithubServer';
import {
  createDemoRepository,
  makeTempDir,
} from '../src/testUtils/git/gitFixtures';

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
  const temp = await makeTempDir('bench-faults');
  const demo = await createDemoRepository(temp.dir);
  const github = await startFakeGithubServer({
    repositories: { 'acme/phippy': demo.path },
  });
  const registry = await startTestRegistry('none');
  const cache = CacheManager.fromConfig(
    new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    { logger: silent },
  ).forPlugin('stageflow');
  const lkg = new LastKnownGood({ cache, logger: silent });
  const downUrl = await closedPortUrl();
  const blackHole = await silentServer();

  const seed = new DistributionRegistryClient({
    host: registry.host,
    url: registry.url,
  });
  for (const tag of ['develop:latest', 'stable:latest']) {
    const [path, name] = tag.split(':');
    await pushImage(
      seed,
      { registry: registry.host, repository: `acme/phippy/${path}`, tag: name },
      {
        layers: [Buffer.from(tag)],
        labels: { 'org.opencontainers.image.revision': demo.commits[5] },
      },
    );
  }

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
    // Not in the closing line: it shows LastKnownGood's 1 s deadline while
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
    const registryClient = new DistributionRegistryClient({
      host: registry.host,
      url: registryUrl,
      policy: policies.forHost('registry', registry.host),
    });
    const repository = new GithubGitClient({
      host: 'github.example.com',
      owner: 'acme',
      repo: 'phippy',
      octokit: createGithubOctokit({
        apiBaseUrl: githubUrl,
        policy: policies.forHost('git', 'github.example.com'),
      }),
    });
    const renderOnce = async () => {
      const facts = await Promise.allSettled([
        ...['develop', 'stable'].map(path =>
          lkg.read(
            `registry:${registry.host}/acme/phippy/${path}:latest`,
            async () =>
              (
                await registryClient.resolve({
                  registry: registry.host,
                  repository: `acme/phippy/${path}`,
                  tag: 'latest',
                })
              )?.digest ?? null,
          ),
        ),
        lkg.read('git:github.example.com/acme/phippy:releases', async () =>
          (await listReleases(repository, 'v{version}')).map(r => r.tag),
        ),
      ]);
      return facts;
    };
    const durations: number[] = [];
    let stale = 0;
    let errors = 0;
    for (let i = 0; i < RENDERS; i++) {
      const start = performance.now();
      const facts = await renderOnce();
      durations.push(performance.now() - start);
      for (const fact of facts) {
        if (fact.status === 'rejected') {
          errors++;
        } else if (fact.value.stale) {
          stale++;
        }
      }
    }
    const limitedAnswers = github.requests
      .slice(githubBefore)
      .filter(r => r.status === 403 || r.status === 429).length;
    results[scenario.name] = {
      limitedAnswers,
      p95: p95(durations),
      github: sent.github.length,
      registry: sent.registry,
      stale,
      errors,
    };
    // eslint-disable-next-line no-console
    console.log(
      `${scenario.name.padEnd(26)} p95 ${results[scenario.name].p95
        .toFixed(1)
        .padStart(7)} ms  ` +
        `GitHub requests ${String(sent.github.length).padStart(
          4,
        )}  registry requests ${String(sent.registry).padStart(4)}  ` +
        `rate-limit answers ${String(limitedAnswers).padStart(2)}  ` +
        `stale facts ${String(stale).padStart(3)}  failed facts ${errors}`,
    );
  }
  github.setRateLimit(undefined);

  const healthy = results.healthy;
  const down = results['GitHub down'];
  const limited = results['GitHub rate limited (403)'];
  const tooMany = results['429 retry-after 30'];
  // Honoured: one request met the 429, and none followed within its 30 s.
  const retryAfterHonoured =
    tooMany.github === 1 && tooMany.errors === 0 && tooMany.stale > 0;
  // eslint-disable-next-line no-console
  console.log(
    `faults: healthy_p95_ms=${Math.round(healthy.p95)} down_p95_ms=${Math.round(
      down.p95,
    )} ratelimited_upstream=${
      limited.limitedAnswers
    } retry_after_honoured=${retryAfterHonoured}`,
  );
  blackHole.close();
  await github.close();
  await registry.stop();
  await temp.cleanup();
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
