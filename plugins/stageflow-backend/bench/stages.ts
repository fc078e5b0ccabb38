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
 * COMPONENTS (1000), IMAGES (image repositories they share, one per
 * component), REPOS (GitHub repositories they share, one per component),
 * CONCURRENT (200), OVERVIEW_REQUESTS (200), TTL_SECONDS (60), REDIS_URL,
 * LOG_LEVEL (the backend's log level, default none).
 */
import { Entity } from '@backstage/catalog-model';
import { DistributionRegistryClient } from '@stageflow/plugin-stageflow-node';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
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
// The moving facts' TTL of the distinct phases: the default, so that a
// restart (seconds) falls within it, as a rolling restart does.
const DISTINCT_TTL_SECONDS = Number(process.env.TTL_SECONDS ?? 60);
// The real shape by default: one repository and one image per component.
const IMAGES = Number(process.env.IMAGES ?? COMPONENTS);
const REPOS = Number(process.env.REPOS ?? COMPONENTS);
const CONCURRENT = Number(process.env.CONCURRENT ?? 200);
const OVERVIEW_REQUESTS = Number(process.env.OVERVIEW_REQUESTS ?? 200);
const OVERVIEW_LIMIT = 50;
const DEADLINE_MS = 20 * 60_000;
const WEBHOOK_SECRET = `bench-webhook-${randomUUID()}`;
const REGISTRY_SECRET = `bench-registry-${randomUUID()}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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
      registry: counts.registry,
      /** What GitHub counts against the budget: REST requests + GraphQL points. */
      githubCost: counts.githubRest + counts.graphqlPoints,
      githubRest: counts.githubRest,
      graphqlQueries: counts.graphqlQueries,
      graphqlPoints: counts.graphqlPoints,
      describe: () =>
        `registry ${counts.registry} ${JSON.stringify(
          counts.registryBreakdown,
        )}, github ${counts.github} (by status ${JSON.stringify(
          counts.githubByStatus,
        )}; budget: ${counts.githubRest} REST + ${
          counts.graphqlPoints
        } points in ${counts.graphqlQueries} GraphQL queries)`,
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
    events: { modules: { github: { webhookSecret: WEBHOOK_SECRET } } },
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
      git: { cacheDir: options.gitCacheDir, githubGraphql: true },
      notifications: { registry: { secret: REGISTRY_SECRET } },
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

/** What the snapshot recorded, and the p95 of the overview's pages. */
async function overview(backend: StageflowBackend) {
  const items = await readOverview(backend);
  const statuses: Record<string, number> = {};
  for (const item of items) {
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
    } components in the overview; stages ${JSON.stringify(statuses)}`,
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

  return p95;
}

interface Cost {
  seconds: number;
  github: number;
  registry: number;
}

async function timedSnapshot(
  backend: StageflowBackend,
  upstream: UpstreamCounter,
  label: string,
): Promise<Cost> {
  await upstream.reset();
  const start = performance.now();
  await backend.runTask('stageflow-snapshots-tick');
  const seconds = (performance.now() - start) / 1000;
  const count = await upstream.read();
  // What the snapshot recorded: a run that failed fast (an upstream's
  // circuit open, timeouts) would look cheap and quick.
  const statuses: Record<string, number> = {};
  for (const item of await readOverview(backend)) {
    for (const stage of item.stages) {
      statuses[stage.status] = (statuses[stage.status] ?? 0) + 1;
    }
  }
  log(
    `${label}: ${seconds.toFixed(2)} s, GitHub cost ${
      count.githubCost
    }, registry ${count.registry}; upstream ${
      count.total
    } = ${count.describe()}; recorded stages ${JSON.stringify(statuses)}`,
  );
  return { seconds, github: count.githubCost, registry: count.registry };
}

/** A platform cache in Redis under a namespace of its own, dropped at the end. */
function redisCache(namespace: string, stack: Array<() => Promise<unknown>>) {
  stack.push(async () => {
    const url = new URL(REDIS_URL);
    const cli = (...args: string[]) =>
      execFileSync(
        'redis-cli',
        ['-h', url.hostname, '-p', url.port || '6379', ...args],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      );
    const keys = cli('--scan', '--pattern', `${namespace}:*`)
      .split('\n')
      .filter(Boolean);
    for (let i = 0; i < keys.length; i += 500) {
      cli('del', ...keys.slice(i, i + 500));
    }
  });
  return {
    store: 'redis',
    connection: REDIS_URL,
    redis: { client: { namespace } },
  };
}

/**
 * The distinct shape: the first snapshot on an empty platform cache, the
 * first after a restart on the same cache (Redis), and the next one once
 * the moving facts are past their TTL.
 */
async function distinctSnapshots(options: {
  label: string;
  entities: Entity[];
  config: ReturnType<typeof pluginConfig>;
  upstream: UpstreamCounter;
  stack: Array<() => Promise<unknown>>;
  overview?: boolean;
}) {
  const { label, entities, upstream } = options;
  const cache = redisCache(`stageflow-bench-${randomUUID()}`, options.stack);
  const config = {
    ...options.config,
    stageflow: {
      ...options.config.stageflow,
      cache: { ttlSeconds: DISTINCT_TTL_SECONDS },
      // Due again by the time the moving facts are past their TTL, so
      // that the tick runs the steady snapshot.
      snapshots: { frequencyMinutes: DISTINCT_TTL_SECONDS / 60 },
    },
  };
  let backend = await startStageflowBackend({ config, entities, cache });
  let cold: Cost;
  try {
    cold = await timedSnapshot(backend, upstream, `${label}: cold snapshot`);
  } finally {
    await backend.stop();
  }
  backend = await startStageflowBackend({ config, entities, cache });
  try {
    const restart = await timedSnapshot(
      backend,
      upstream,
      `${label}: first snapshot after a restart on the same cache (within the ${DISTINCT_TTL_SECONDS} s TTL)`,
    );
    await new Promise(r => setTimeout(r, (DISTINCT_TTL_SECONDS + 1) * 1000));
    const steady = await timedSnapshot(
      backend,
      upstream,
      `${label}: steady snapshot, nothing changed, past the ${DISTINCT_TTL_SECONDS} s TTL`,
    );
    const p95 = options.overview ? await overview(backend) : undefined;
    return { cold, restart, steady, cache, p95 };
  } finally {
    await backend.stop();
  }
}

/**
 * Forwards the registry's notifications to the backend, unless paused,
 * and tells when they arrive: the registry delivers them one at a time, so
 * a measured push waits behind whatever is queued before it.
 */
async function startRelay(stack: Array<() => Promise<unknown>>) {
  let target: string | undefined;
  let paused = false;
  let received = 0;
  let lastAt = performance.now();
  const watchers: Array<{
    matches: (event: any) => boolean;
    resolve: (at: number) => void;
  }> = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    received += 1;
    lastAt = performance.now();
    try {
      const events: any[] = JSON.parse(Buffer.concat(chunks).toString()).events;
      for (const watcher of [...watchers]) {
        if (events.some(watcher.matches)) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve(lastAt);
        }
      }
    } catch {
      // Not an envelope: forwarded as it is.
    }
    if (!target || paused) {
      res.writeHead(200).end();
      return;
    }
    try {
      const answer = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          authorization: req.headers.authorization ?? '',
        },
        body: Buffer.concat(chunks),
      });
      res.writeHead(answer.status).end(await answer.text());
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  stack.push(() => new Promise(r => server.close(r)));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    setTarget(url: string) {
      target = url;
    },
    pause(value: boolean) {
      paused = value;
    },
    /** When the next notification with a matching event arrives. */
    arrival(matches: (event: any) => boolean): Promise<number> {
      return new Promise(resolve => watchers.push({ matches, resolve }));
    },
    /**
     * Waits until no notification arrived for `quietMs` (at most `maxMs`):
     * the registry's queue is empty. How many arrived meanwhile, and how
     * long it took.
     */
    async drained(quietMs: number, maxMs: number) {
      const start = performance.now();
      const before = received;
      while (
        performance.now() - lastAt < quietMs &&
        performance.now() - start < maxMs
      ) {
        await new Promise(r => setTimeout(r, 100));
      }
      return {
        notifications: received - before,
        ms: performance.now() - start,
      };
    },
  };
}

/** Reads a card until its answer changes; the time it took, in ms. */
async function untilChanged(url: string, before: string, since: number) {
  for (;;) {
    const now = describeStages((await getJson(url)).body);
    if (now !== before) {
      return performance.now() - since;
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

/**
 * A release tagged on GitHub and an image pushed to the registry: the time
 * until the card answers differently, with the webhook or notification
 * delivered, and (for another component) without: the polling path, which
 * waits for the moving facts' TTL (the default 60 s).
 */
async function pushToCard(options: {
  entities: Entity[];
  config: ReturnType<typeof pluginConfig>;
  cache: object;
  relay: Awaited<ReturnType<typeof startRelay>>;
  repositoryPath: string;
  head: string;
  registryClient: DistributionRegistryClient;
  registryHost: string;
}) {
  const { relay, registryClient, registryHost } = options;
  const backend = await startStageflowBackend({
    config: options.config,
    entities: options.entities,
    cache: options.cache as any,
    webhooks: true,
  });
  try {
    relay.setTarget(`${backend.baseUrl}/v1/notifications/registry`);
    const card = (i: number) =>
      `${backend.baseUrl}/v1/entities/component/default/component-${pad(
        i,
        4,
      )}/stages`;
    const before: Record<number, string> = {};
    for (const i of [0, 1, 2]) {
      before[i] = describeStages((await getJson(card(i))).body);
    }
    log(`push: cards before: ${before[0]}`);

    // GitHub: a release tagged on develop's head.
    execFileSync('git', ['tag', 'v1.4.0', options.head], {
      cwd: options.repositoryPath,
    });
    const tagged = performance.now();
    const polled = untilChanged(card(1), before[1], tagged);
    const body = JSON.stringify({
      ref: 'v1.4.0',
      ref_type: 'tag',
      repository: {
        name: 'svc-000',
        owner: { login: 'acme' },
        html_url: `https://${GITHUB_HOST}/acme/svc-000`,
      },
    });
    const root = backend.baseUrl.replace(/\/api\/stageflow$/, '');
    const delivered = performance.now();
    const res = await fetch(`${root}/api/events/http/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'create',
        'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET)
          .update(body)
          .digest('hex')}`,
      },
      body,
    });
    if (res.status !== 202) {
      throw new Error(`the webhook was answered ${res.status}`);
    }
    const webhookMs = await untilChanged(card(0), before[0], delivered);
    log(`push: webhook to card ${ms(webhookMs)} ms`);
    const changed0 = describeStages((await getJson(card(0))).body);

    // The registry: int's image promoted to prd by hand.
    const image = (i: number) => `acme/bench/svc-${pad(i % IMAGES, 4)}`;
    const promote = (i: number) =>
      registryClient.copy(
        { registry: registryHost, repository: image(i), tag: 'int' },
        [{ registry: registryHost, repository: image(i), tag: 'prd' }],
      );
    // Whatever the registry still has queued for the relay is delivered
    // first (nothing, as the set-up pushed before notifications were on):
    // the measurement starts on an empty queue, so that it times this
    // push's delivery and refresh.
    const backlog = await relay.drained(2000, 120_000);
    log(
      `push: registry notification queue drained: ${
        backlog.notifications
      } notifications in ${ms(backlog.ms)} ms`,
    );
    const arrived = relay.arrival(
      event =>
        event.action === 'push' &&
        event.target?.repository === image(0) &&
        event.target?.tag === 'prd',
    );
    await promote(0);
    const pushed = performance.now();
    const notificationMs = await untilChanged(card(0), changed0, pushed);
    const arrivedAt = await Promise.race([
      arrived,
      new Promise<undefined>(r => setTimeout(r, 1000)),
    ]);
    log(
      `push: registry notification to card ${ms(
        notificationMs,
      )} ms after the push${
        arrivedAt === undefined
          ? ''
          : `, ${ms(
              pushed + notificationMs - arrivedAt,
            )} ms after its notification reached the relay`
      }`,
    );
    relay.pause(true);
    await promote(2);
    const pushedQuietly = performance.now();
    const [gitPollingMs, registryPollingMs] = await Promise.all([
      polled,
      untilChanged(card(2), before[2], pushedQuietly),
    ]);
    relay.pause(false);
    log(
      `push: polling path (no webhook / no notification, TTL ${
        options.config.stageflow.cache.ttlSeconds
      } s): tag to card ${ms(gitPollingMs)} ms, image to card ${ms(
        registryPollingMs,
      )} ms`,
    );
    return { webhookMs, notificationMs, gitPollingMs, registryPollingMs };
  } finally {
    // The events backend keeps a subscriber's long poll open: the stop is
    // bounded, everything ends with the process.
    await Promise.race([
      backend.stop(),
      new Promise(r => setTimeout(r, 10_000).unref()),
    ]);
  }
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

  const relay = await startRelay(stack);
  // No notifications while the set-up pushes: its 8,000 mounts and manifest
  // PUTs would reach the relay one at a time for minutes, through every
  // measured snapshot. The registry is restarted with them once it is done.
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
  await registry.reconfigure({
    notifications: {
      url: relay.url,
      headers: { Authorization: [`Bearer ${REGISTRY_SECRET}`] },
    },
  });
  log('docker-registry restarted on the same storage, now notifying the relay');
  return {
    upstreams,
    upstream: new UpstreamCounter(upstreams),
    gitCacheDir: join(tmp.dir, 'git-cache'),
    relay,
    repo,
    registryClient: client,
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
    const { upstreams, upstream, gitCacheDir, relay, repo, registryClient } =
      await setUp(stack);
    const config = pluginConfig({ upstreams, gitCacheDir });
    const phippy = [phippyEntity(upstreams.registryHost)];

    log('1/5 plugin with an empty memory cache: cold card, then warm card');
    const cards = await withBackend(phippy, config, backend =>
      cardRenders(backend, upstream),
    );

    log(`2/5 fresh plugin (empty cache): ${CONCURRENT} concurrent cards`);
    const concurrent = await withBackend(phippy, config, backend =>
      concurrentCards(backend, upstream),
    );

    const entities = benchEntities(upstreams.registryHost);
    log(
      `3/5 ${COMPONENTS} components, GitHub through GraphQL batches: cold, restart, steady; overview`,
    );
    const graphql = await distinctSnapshots({
      label: 'GraphQL',
      entities,
      config,
      upstream,
      stack,
      overview: true,
    });
    log(`4/5 the same through REST only (stageflow.git.githubGraphql: false)`);
    const rest = await distinctSnapshots({
      label: 'REST',
      entities,
      config: {
        ...config,
        stageflow: {
          ...config.stageflow,
          git: { ...config.stageflow.git, githubGraphql: false },
        },
      },
      upstream,
      stack,
    });
    log('5/5 push to card: webhook and registry notification, beside polling');
    const push = await pushToCard({
      entities,
      config,
      cache: graphql.cache,
      relay,
      repositoryPath: repo.path,
      head: repo.head,
      registryClient,
      registryHost: upstreams.registryHost,
    });

    log(`total ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    await cleanUp(stack);
    const row = (label: string, r: typeof rest) =>
      `${label}: cold ${r.cold.seconds.toFixed(1)} s / GitHub ${
        r.cold.github
      } / registry ${r.cold.registry}; restart ${r.restart.seconds.toFixed(
        1,
      )} s / GitHub ${r.restart.github} / registry ${
        r.restart.registry
      }; steady ${r.steady.seconds.toFixed(1)} s / GitHub ${
        r.steady.github
      } / registry ${r.steady.registry}`;
    console.log(row('graphql', graphql));
    console.log(row('rest   ', rest));
    console.log(
      `push: webhook_to_card_ms=${ms(push.webhookMs)} (polling ${ms(
        push.gitPollingMs,
      )}) registry_notification_to_card_ms=${ms(
        push.notificationMs,
      )} (polling ${ms(push.registryPollingMs)})`,
    );
    console.log(
      `warm_upstream=${cards.warm} cold_upstream=${
        cards.cold
      } concurrent200_upstream=${concurrent} overview_p95_ms=${ms(
        graphql.p95 ?? NaN,
      )}`,
    );
    console.log(
      `distinct${COMPONENTS}: cold_s=${graphql.cold.seconds.toFixed(
        1,
      )} cold_github=${graphql.cold.github} restart_github=${
        graphql.restart.github
      } steady_github=${graphql.steady.github} push_to_card_ms=${Math.round(
        Math.max(push.webhookMs, push.notificationMs),
      )}`,
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
