import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { randomUUID } from 'node:crypto';
import { DefaultGitService } from './DefaultGitService';
import { GitRepositoryLocator } from './types';
import { StageflowFacts } from '../release/StageflowFacts';
import { UpstreamPolicies } from '../resilience/UpstreamPolicies';
import {
  createDemoRepository,
  makeTempDir,
} from '../testUtils/git/gitFixtures';
import {
  FakeGithubServer,
  startFakeGithubServer,
} from '../testUtils/git/fakeGithubServer';

jest.setTimeout(120_000);

const HOST = 'ghe.example.com';
// Not the default 60 s: what is measured is a read once the moving facts
// have expired (the steady state), and the test waits out the TTL to get
// there. No write is involved: nothing here relies on a TTL to show one.
const TTL_SECONDS = 1;
const REPOS = ['svc-a', 'svc-b', 'svc-c', 'svc-d'];

/**
 * What a backend knows of GitHub lives in the platform cache (Redis here):
 * a restarted one pays no more than the steady state of the one before.
 */
describe.each([
  ['GraphQL batches', true],
  ['REST', false],
])('a restart on the same cache, through %s', (_label, githubGraphql) => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: FakeGithubServer;
  const namespace = `stageflow-restart-${randomUUID()}`;

  beforeAll(async () => {
    temp = await makeTempDir('github-restart');
    const demo = await createDemoRepository(temp.dir);
    server = await startFakeGithubServer({
      repositories: Object.fromEntries(
        REPOS.map(repo => [`acme/${repo}`, demo.path]),
      ),
      token: 'test-token',
    });
  });

  afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
  });

  /** A backend process: its own git service and facts, on the shared cache. */
  function start() {
    const config = new ConfigReader({
      integrations: {
        github: [
          { host: HOST, apiBaseUrl: server.apiBaseUrl, token: 'test-token' },
        ],
      },
      stageflow: { git: { githubGraphql } },
      backend: {
        cache: { store: 'redis', connection: 'redis://127.0.0.1:6379' },
      },
    });
    const logger = mockServices.logger.mock();
    const cache = CacheManager.fromConfig(config, { logger }).forPlugin(
      namespace,
    );
    const git = DefaultGitService.fromConfig(config, {
      logger,
      cache,
      policies: UpstreamPolicies.fromConfig(config, { logger }),
    });
    return new StageflowFacts({
      cache,
      git,
      registry: { forHost: () => ({} as any) },
      ttlSeconds: TTL_SECONDS,
    });
  }

  /** What a snapshot reads of each repository; GitHub's cost of it. */
  async function snapshot(facts: StageflowFacts): Promise<number> {
    const requests = server.requests.length;
    const queries = server.graphqlQueries.length;
    // One repository after the other, so that each read is its own query
    // and the counts do not depend on how reads happen to share them.
    for (const repo of REPOS) {
      await (async () => {
        const locator: GitRepositoryLocator = {
          type: 'github',
          host: HOST,
          owner: 'acme',
          repo,
        };
        const releases = await facts.releases(locator, 'v{version}');
        const head = await facts.branchHead(locator, 'main');
        await facts.compare(locator, releases[releases.length - 1].sha, head);
        await facts.commitDate(locator, head);
      })();
    }
    const rest = server.requests
      .slice(requests)
      .filter(r => r.operation !== 'POST /graphql' && r.status !== 304).length;
    const points = server.graphqlQueries
      .slice(queries)
      .reduce((sum, query) => sum + query.cost, 0);
    expect(server.graphqlQueries.flatMap(q => q.rejected)).toEqual([]);
    return rest + points;
  }

  const pastTtl = () =>
    new Promise(resolve => setTimeout(resolve, TTL_SECONDS * 1000 + 200));

  it('pays no more after a restart than the steady state', async () => {
    const first = start();
    const cold = await snapshot(first);
    await pastTtl();
    const steady = await snapshot(first);

    const restarted = start();
    await pastTtl();
    const restart = await snapshot(restarted);

    expect(cold).toBeGreaterThan(0);
    expect(steady).toBeLessThan(cold);
    expect(restart).toBeLessThanOrEqual(steady);
  });
});
