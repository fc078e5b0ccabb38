/*
 * Stage resolution benchmark of the Stageflow backend plugin: upstream
 * requests of a cold and a warm entity card, of 200 concurrent cards on an
 * empty cache, the time of one snapshot of 1,000 components and the p95 of
 * the overview page. Everything runs on 127.0.0.1: the whole plugin in a
 * backend with the platform's memory cache and SQLite (and test doubles for
 * auth, logs and the catalog); in a second process, a fake GitHub REST API
 * over a real bare repository and a request-counting proxy in front of
 * Debian's docker-registry (a third process).
 *
 * Run: yarn bench:stages (in plugins/stageflow-backend). Knobs (env):
 * COMPONENTS (1000), IMAGES (image repositories they share, 10), REPOS
 * (GitHub repositories they share, 10), CONCURRENT (200), OVERVIEW_REQUESTS
 * (200), LOG_LEVEL (the backend's log level, default none).
 */
import { Entity } from '@backstage/catalog-model';
import { DistributionRegistryClient } from '@stageflow/plugin-stageflow-node';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import {
  makeTempDir,
  startTestRegistry,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { startStageflowBackend, StageflowBackend } from './backend';
import {
  createOneflowRepository,
  OneflowRepository,
  pushOneflowImages,
  pushStagedImages,
} from './fixtures';
import { startUpstreams, Upstreams } from './upstreams';

const COMPONENTS = Number(process.env.COMPONENTS ?? 1000);
// The cache TTL of the snapshot phase, so that its second snapshot re-reads
// the moving facts without a long wait.
const STEADY_TTL_SECONDS = 3;
const IMAGES = Number(process.env.IMAGES ?? 10);
const REPOS = Number(process.env.REPOS ?? 10);
const CONCURRENT = Number(process.env.CONCURRENT ?? 200);
const OVERVIEW_REQUESTS = Number(process.env.OVERVIEW_REQUESTS ?? 200);
const OVERVIEW_LIMIT = 50;
const DEADLINE_MS = 5 * 60_000;

const GITHUB_HOST = 'github.bench.test'; // never resolved: apiBaseUrl is loopback
const GITHUB_TOKEN = 'bench-dummy-token';
const PHIPPY_REF = 'component/default/phippy';

const startedAt = performance.now();

function log(message: string) {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`[${seconds.padStart(5)}s] ${message}`);
}

function pad(n: number, width: number) {
  return String(n).padStart(width, '0');
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(Math.ceil((p / 100) * sorted.length) - 1, 0);
  return sorted[rank];
}

function ms(value: number): string {
  return value.toFixed(1);
}

/** Upstream requests (registry + GitHub) since the last reset. */
class UpstreamCounter {
  constructor(private readonly upstreams: Upstreams) {}

  reset(): Promise<void> {
    return this.upstreams.reset();
  }

  async read() {
    const counts = await this.upstreams.read();
    return {
      total: counts.registry + counts.github,
      describe: () =>
        `registry ${counts.registry} ${JSON.stringify(
          counts.registryBreakdown,
        )}, github ${counts.github} (by status ${JSON.stringify(
          counts.githubByStatus,
        )})`,
    };
  }
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

async function timedGet(url: string) {
  const start = performance.now();
  const res = await getJson(url);
  return { ...res, ms: performance.now() - start };
}

function describeStages(body: any): string {
  return (body.stages ?? [])
    .map(
      (s: any) =>
        `${s.name}=${s.status}${s.version ? `@${s.version}` : ''}${
          s.revision ? `(${s.revision.slice(0, 7)})` : ''
        }${
          s.behind
            ? ` behind ${s.behind.stage} by ${s.behind.commits} commits/${s.behind.releases} releases`
            : ''
        }${s.message ? ` [${s.message}]` : ''}`,
    )
    .join(', ');
}

function phippyEntity(registryHost: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'phippy',
      annotations: {
        'backstage.io/source-location': `url:https://${GITHUB_HOST}/acme/phippy/tree/develop/`,
        'github.com/project-slug': 'acme/phippy',
        'stageflow.io/image': `${registryHost}/acme/phippy`,
        'stageflow.io/flow': 'oneflow',
      },
    },
    spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

function benchEntities(registryHost: string): Entity[] {
  return Array.from({ length: COMPONENTS }, (_, i) => {
    const repo = `svc-${pad(i % REPOS, 3)}`;
    const image = `acme/bench/svc-${pad(i % IMAGES, 4)}`;
    const team = `team-${i % 10}`;
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `component-${pad(i, 4)}`,
        annotations: {
          'backstage.io/source-location': `url:https://${GITHUB_HOST}/acme/${repo}/tree/develop/`,
          'github.com/project-slug': `acme/${repo}`,
          'stageflow.io/image': `${registryHost}/${image}`,
          'stageflow.io/flow': 'bench3',
        },
      },
      spec: { type: 'service', owner: team, lifecycle: 'production' },
      relations: [{ type: 'ownedBy', targetRef: `group:default/${team}` }],
    };
  });
}

function pluginConfig(options: { upstreams: Upstreams; gitCacheDir: string }) {
  return {
    integrations: {
      github: [
        {
          host: GITHUB_HOST,
          apiBaseUrl: options.upstreams.githubApiBaseUrl,
          token: GITHUB_TOKEN,
        },
      ],
    },
    stageflow: {
      cache: { ttlSeconds: 60 },
      git: { cacheDir: options.gitCacheDir },
      registries: [
        {
          host: options.upstreams.registryHost,
          url: options.upstreams.registryUrl,
        },
      ],
      flows: {
        bench3: {
          tagPattern: 'v{version}',
          branches: {
            release: 'develop',
            develop: 'develop',
            hotfix: 'hotfix/{name}',
          },
          candidateImage: '{image}:sha-{sha}',
          stages: [
            { name: 'dev', image: '{image}:dev', branch: 'develop' },
            { name: 'int', image: '{image}:int', promoteTo: ['{image}:int'] },
            { name: 'prd', image: '{image}:prd', promoteTo: ['{image}:prd'] },
          ],
        },
      },
    },
  };
}

async function cardRenders(
  backend: StageflowBackend,
  upstream: UpstreamCounter,
) {
  const url = `${backend.baseUrl}/v1/entities/${PHIPPY_REF}/stages`;
  await upstream.reset();
  const cold = await timedGet(url);
  if (cold.status !== 200) {
    throw new Error(`stages answered ${cold.status}: ${JSON.stringify(cold)}`);
  }
  const coldCount = await upstream.read();
  log(`cold card: ${ms(cold.ms)} ms, ${describeStages(cold.body)}`);
  log(`cold card upstream: ${coldCount.total} = ${coldCount.describe()}`);

  await upstream.reset();
  const warm = await timedGet(url);
  const warmCount = await upstream.read();
  log(
    `warm card (same backend, within the 60 s TTL): ${ms(
      warm.ms,
    )} ms, upstream ${warmCount.total}${
      warmCount.total ? ` = ${warmCount.describe()}` : ''
    }`,
  );
  if (JSON.stringify(warm.body) !== JSON.stringify(cold.body)) {
    log('WARNING: the warm answer differs from the cold one');
  }
  return { cold: coldCount.total, warm: warmCount.total };
}

async function concurrentCards(
  backend: StageflowBackend,
  upstream: UpstreamCounter,
) {
  const url = `${backend.baseUrl}/v1/entities/${PHIPPY_REF}/stages`;
  await upstream.reset();
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: CONCURRENT }, () => timedGet(url)),
  );
  const wall = performance.now() - start;
  const count = await upstream.read();
  const failed = results.filter(r => r.status !== 200).length;
  const answers = new Set(results.map(r => JSON.stringify(r.body)));
  const latencies = results.map(r => r.ms);
  log(
    `${CONCURRENT} concurrent cards on an empty cache: wall ${ms(
      wall,
    )} ms, p50 ${ms(percentile(latencies, 50))} ms, p95 ${ms(
      percentile(latencies, 95),
    )} ms, max ${ms(
      Math.max(...latencies),
    )} ms, non-200 ${failed}, distinct answers ${answers.size}`,
  );
  log(
    `${CONCURRENT} concurrent cards upstream: ${
      count.total
    } = ${count.describe()}`,
  );
  return count.total;
}

async function readOverview(backend: StageflowBackend) {
  const items: any[] = [];
  for (let offset = 0; ; offset += 500) {
    const { status, body } = await getJson(
      `${backend.baseUrl}/v1/overview?limit=500&offset=${offset}`,
    );
    if (status !== 200) {
      throw new Error(`overview answered ${status}: ${JSON.stringify(body)}`);
    }
    items.push(...body.items);
    if (items.length >= body.totalCount || body.items.length === 0) {
      return items;
    }
  }
}

async function snapshotAndOverview(
  backend: StageflowBackend,
  upstream: UpstreamCounter,
) {
  await upstream.reset();
  const start = performance.now();
  await backend.runTask('stageflow-snapshots');
  const seconds = (performance.now() - start) / 1000;
  const count = await upstream.read();
  log(
    `snapshot of ${COMPONENTS} components x 3 stages: ${seconds.toFixed(
      2,
    )} s (${ms((seconds * 1000) / COMPONENTS)} ms a component), upstream ${
      count.total
    } = ${count.describe()}`,
  );

  const items = await readOverview(backend);
  const statuses: Record<string, number> = {};
  let withThreeStages = 0;
  for (const item of items) {
    if (item.stages.length === 3) {
      withThreeStages += 1;
    }
    for (const stage of item.stages) {
      const key = `${stage.name}=${stage.status}${
        stage.version ? `@${stage.version}` : ''
      }`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  }
  log(
    `recorded: ${
      items.length
    } components in the overview, ${withThreeStages} with 3 stages; stages ${JSON.stringify(
      statuses,
    )}`,
  );

  const pages = Math.max(Math.ceil(COMPONENTS / OVERVIEW_LIMIT), 1);
  const latencies: number[] = [];
  for (let i = 0; i < OVERVIEW_REQUESTS; i++) {
    const offset = (i % pages) * OVERVIEW_LIMIT;
    const res = await timedGet(
      `${backend.baseUrl}/v1/overview?limit=${OVERVIEW_LIMIT}&offset=${offset}`,
    );
    if (res.status !== 200 || res.body.items.length === 0) {
      throw new Error(`overview page ${offset} answered ${res.status}`);
    }
    latencies.push(res.ms);
  }
  const p95 = percentile(latencies, 95);
  log(
    `overview (limit ${OVERVIEW_LIMIT}, ${pages} pages in turn) x ${OVERVIEW_REQUESTS} sequential: p50 ${ms(
      percentile(latencies, 50),
    )} ms, p95 ${ms(p95)} ms, max ${ms(Math.max(...latencies))} ms`,
  );

  // The steady state: the next scheduled snapshot, nothing having changed
  // upstream, once the moving facts are past their TTL (short in this
  // phase): digests' configs and tags' commits stay cached for good, git
  // re-reads are conditional.
  await new Promise(resolve =>
    setTimeout(resolve, (STEADY_TTL_SECONDS + 1) * 1000),
  );
  await upstream.reset();
  const again = performance.now();
  await backend.runTask('stageflow-snapshots');
  const againSeconds = (performance.now() - again) / 1000;
  const againCount = await upstream.read();
  log(
    `next snapshot, nothing changed, past the ${STEADY_TTL_SECONDS} s TTL: ${againSeconds.toFixed(
      2,
    )} s, upstream ${againCount.total} = ${againCount.describe()}`,
  );
  return { seconds, p95 };
}

async function setUp(stack: Array<() => Promise<unknown>>) {
  const tmp = await makeTempDir('bench-stages');
  stack.push(tmp.cleanup);
  const repo: OneflowRepository = await createOneflowRepository(tmp.dir);
  log(
    `git: acme/phippy, develop with ${
      repo.commits.length
    } commits, releases ${Object.keys(repo.releases).join(
      ' ',
    )}, head ${repo.head.slice(0, 7)}`,
  );

  const registry = await startTestRegistry('none');
  stack.push(() => registry.stop());
  // Every bench repository is the same bare repository under another name:
  // for Stageflow they are distinct repositories (distinct cache keys).
  const repositories: Record<string, string> = { 'acme/phippy': repo.path };
  for (let i = 0; i < REPOS; i++) {
    repositories[`acme/svc-${pad(i, 3)}`] = repo.path;
  }
  const upstreams = await startUpstreams({
    repositories,
    token: GITHUB_TOKEN,
    registryPort: Number(registry.host.split(':')[1]),
  });
  stack.push(() => upstreams.close());
  const registryHost = upstreams.registryHost;
  log(
    `upstream process: fake GitHub ${upstreams.githubApiBaseUrl} (${
      Object.keys(repositories).length
    } repositories), counting proxy ${registryHost} -> docker-registry ${
      registry.host
    }`,
  );

  // Images name the proxy's host (as config does); setup pushes go straight
  // to the registry so that they never touch the counts.
  const client = new DistributionRegistryClient({
    host: registryHost,
    url: registry.url,
  });
  let start = performance.now();
  const pushed = await pushOneflowImages(
    client,
    registryHost,
    'acme/phippy',
    repo,
    'v1.2.0',
  );
  log(
    `pushed ${pushed} Oneflow images of acme/phippy (release-candidate per commit, develop:latest, stable:latest = candidate of v1.2.0) in ${ms(
      performance.now() - start,
    )} ms`,
  );

  start = performance.now();
  const stageShas = {
    dev: repo.head,
    int: repo.releases['v1.3.0'],
    prd: repo.releases['v1.2.0'],
  };
  await pushStagedImages({
    client,
    registryUrl: registry.url,
    registry: registryHost,
    base: 'acme/bench/base',
    repositories: Array.from(
      { length: IMAGES },
      (_, i) => `acme/bench/svc-${pad(i, 4)}`,
    ),
    stages: stageShas,
    concurrency: 8,
  });
  log(
    `pushed ${IMAGES} image repositories acme/bench/svc-NNNN (dev = develop head, int = v1.3.0, prd = v1.2.0, candidates sha-<sha>) by blob mounts + manifest PUTs in ${(
      (performance.now() - start) /
      1000
    ).toFixed(1)} s`,
  );
  return {
    upstreams,
    upstream: new UpstreamCounter(upstreams),
    gitCacheDir: join(tmp.dir, 'git-cache'),
  };
}

async function main() {
  const stack: Array<() => Promise<unknown>> = [];
  const withBackend = async <T>(
    entities: Entity[],
    config: ReturnType<typeof pluginConfig>,
    fn: (backend: StageflowBackend) => Promise<T>,
  ): Promise<T> => {
    const backend = await startStageflowBackend({ config, entities });
    try {
      return await fn(backend);
    } finally {
      await backend.stop();
    }
  };
  try {
    log(
      `stageflow stages bench: ${COMPONENTS} components, ${IMAGES} image repositories, ${REPOS} GitHub repositories, ${CONCURRENT} concurrent cards, ${OVERVIEW_REQUESTS} overview pages`,
    );
    const { upstreams, upstream, gitCacheDir } = await setUp(stack);
    const config = pluginConfig({ upstreams, gitCacheDir });
    const phippy = [phippyEntity(upstreams.registryHost)];

    log('1/3 plugin with an empty memory cache: cold card, then warm card');
    const cards = await withBackend(phippy, config, backend =>
      cardRenders(backend, upstream),
    );

    log(`2/3 fresh plugin (empty cache): ${CONCURRENT} concurrent cards`);
    const concurrent = await withBackend(phippy, config, backend =>
      concurrentCards(backend, upstream),
    );

    log(`3/3 fresh plugin, ${COMPONENTS} components: snapshot, then overview`);
    const snapshot = await withBackend(
      benchEntities(upstreams.registryHost),
      {
        ...config,
        stageflow: {
          ...config.stageflow,
          cache: { ttlSeconds: STEADY_TTL_SECONDS },
        },
      },
      backend => snapshotAndOverview(backend, upstream),
    );

    log(`total ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    await cleanUp(stack);
    console.log(
      `warm_upstream=${cards.warm} cold_upstream=${
        cards.cold
      } concurrent200_upstream=${concurrent} snapshot1000_s=${snapshot.seconds.toFixed(
        2,
      )} overview_p95_ms=${ms(snapshot.p95)}`,
    );
  } finally {
    await cleanUp(stack);
  }
}

async function cleanUp(stack: Array<() => Promise<unknown>>) {
  while (stack.length) {
    const step = stack.pop()!;
    await Promise.race([
      step().catch(error => console.error(`cleanup: ${error}`)),
      new Promise(r => setTimeout(r, 5000).unref()),
    ]);
  }
}

// Bounded: whatever hangs, the process ends. Unreferenced, so a clean run
// ends as soon as its work is done.
setTimeout(() => {
  console.error(`bench:stages did not finish in ${DEADLINE_MS / 1000} s`);
  process.exit(2);
}, DEADLINE_MS).unref();

main().then(
  () => {
    // The platform database service leaves the knex pools of the stopped
    // backends reaping on timers for a while; nothing is running any more.
    setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  },
  error => {
    console.error(error);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 1000).unref();
  },
);
