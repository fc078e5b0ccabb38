import { parse } from 'graphql';
import { createGithubOctokit, GithubResponseCache } from './githubOctokit';
import { GithubGitClient } from './GithubGitClient';
import { GithubGraphqlLoader } from './githubGraphql';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import { runGitContract } from '../testUtils/git/gitContract';
import {
  createDemoRepository,
  makeTempDir,
} from '../testUtils/git/gitFixtures';
import {
  FakeGithubServer,
  startFakeGithubServer,
} from '../testUtils/git/fakeGithubServer';
import { graphqlCost } from '../testUtils/git/fakeGithubGraphql';

jest.setTimeout(120_000);

const HOST = 'ghe.example.com';
const TOKEN = 'test-token';

function octokit(apiBaseUrl: string) {
  return createGithubOctokit({
    apiBaseUrl,
    cache: new GithubResponseCache(),
    getToken: async () => TOKEN,
    policy: new UpstreamPolicy({
      kind: 'git',
      host: HOST,
      options: { ...DEFAULT_RESILIENCE, backoffMs: 1 },
    }),
  });
}

function clients(server: FakeGithubServer, repos: string[]) {
  const graphql = new GithubGraphqlLoader({
    octokit: octokit(server.apiBaseUrl),
  });
  return repos.map(
    repo =>
      new GithubGitClient({
        host: HOST,
        owner: 'acme',
        repo,
        octokit: octokit(server.apiBaseUrl),
        graphql,
      }),
  );
}

function rejected(server: FakeGithubServer) {
  return server.graphqlQueries.flatMap(query => query.rejected);
}

runGitContract('GithubGitClient through GraphQL batches', async () => {
  const temp = await makeTempDir('github-graphql-contract');
  const demo = await createDemoRepository(temp.dir);
  const server = await startFakeGithubServer({
    repositories: { 'acme/demo': demo.path },
    token: TOKEN,
  });
  return {
    repository: clients(server, ['demo'])[0],
    demo,
    requestCount: () => server.requests.length,
    teardown: async () => {
      // Every query the client sent is one GitHub's schema accepts.
      expect(rejected(server)).toEqual([]);
      await server.close();
      await temp.cleanup();
    },
  };
});

describe('GraphQL batches', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: FakeGithubServer;
  const repos = Array.from({ length: 12 }, (_, i) => `svc-${i}`);

  beforeAll(async () => {
    temp = await makeTempDir('github-graphql');
    const demo = await createDemoRepository(temp.dir);
    server = await startFakeGithubServer({
      repositories: Object.fromEntries(
        repos.map(repo => [`acme/${repo}`, demo.path]),
      ),
      token: TOKEN,
    });
  });

  afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
  });

  it('reads the tags, heads and comparisons of many repositories in one query of one point, validated by the schema', async () => {
    const repositories = clients(server, repos);
    server.requests.length = 0;
    server.graphqlQueries.length = 0;
    const answers = await Promise.all(
      repositories.map(async repository => {
        const [tags, head, base] = await Promise.all([
          repository.listTags(),
          repository.resolveCommit('main'),
          repository.resolveCommit('v1.1.0'),
        ]);
        return { tags, head, base };
      }),
    );
    expect(rejected(server)).toEqual([]);
    expect(server.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /api/graphql',
    ]);
    expect(server.graphqlQueries.map(q => q.cost)).toEqual([1]);
    for (const answer of answers) {
      expect(answer.tags.find(t => t.name === 'v1.1.0')).toMatchObject({
        annotated: true,
        sha: answer.base.sha,
        message: 'Release 1.1.0',
      });
    }

    server.requests.length = 0;
    const { head, base } = answers[0];
    const comparisons = await Promise.all(
      repositories.map(repository => repository.compare(base.sha, head.sha)),
    );
    expect(rejected(server)).toEqual([]);
    expect(server.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /api/graphql',
    ]);
    // The same answer as GitHub's REST compare.
    const rest = new GithubGitClient({
      host: HOST,
      owner: 'acme',
      repo: repos[0],
      octokit: octokit(server.apiBaseUrl),
    });
    const expected = await rest.compare(base.sha, head.sha);
    expect(comparisons[0]).toEqual(expected);
    expect(new Set(comparisons.map(c => JSON.stringify(c))).size).toBe(1);
  });

  it('reads the commits a comparison ends on with it, and a read asked twice before its query is sent once', async () => {
    const [repository] = clients(server, [repos[0]]);
    const [head, base] = await Promise.all([
      repository.resolveCommit('main'),
      repository.resolveCommit('v1.1.0'),
    ]);
    const [fresh] = clients(server, [repos[0]]);
    server.requests.length = 0;
    await fresh.compare(base.sha, head.sha);
    expect(server.requests).toHaveLength(1);
    expect(await fresh.resolveCommit(base.sha)).toEqual(base);
    expect(await fresh.resolveCommit(head.sha)).toEqual(head);
    expect(server.requests).toHaveLength(1);
    // The same through REST: the compare names both ends.
    const rest = new GithubGitClient({
      host: HOST,
      owner: 'acme',
      repo: repos[0],
      octokit: octokit(server.apiBaseUrl),
    });
    server.requests.length = 0;
    await rest.compare(base.sha, head.sha);
    expect(server.requests).toHaveLength(1);
    expect(await rest.resolveCommit(base.sha)).toEqual(base);
    expect(await rest.resolveCommit(head.sha)).toEqual(head);
    expect(server.requests).toHaveLength(1);

    const loader = new GithubGraphqlLoader({
      octokit: octokit(server.apiBaseUrl),
    });
    const read = () =>
      loader.load(
        'acme',
        repos[0],
        {
          variables: { expression: 'String!' },
          text: p => `object(expression: $${p}expression) { oid }`,
        },
        { expression: 'main' },
      );
    const first = read();
    expect(read()).toBe(first);
    expect(await first).toEqual({ oid: head.sha });
  });

  it('answers an unknown repository with NotFoundError and the others as usual', async () => {
    const [known, unknown] = clients(server, [repos[0], 'missing']);
    const [tags, missing] = await Promise.allSettled([
      known.listTags(),
      unknown.listTags(),
    ]);
    expect(tags.status).toBe('fulfilled');
    expect(missing).toMatchObject({
      status: 'rejected',
      reason: { name: 'NotFoundError' },
    });
    expect(rejected(server)).toEqual([]);
  });
});

describe('the fake GitHub GraphQL API', () => {
  it("costs a query by GitHub's documented formula", () => {
    // The example of GitHub's rate-limit documentation: 1 + 100 + 5,000
    // requests, 51 points.
    const query = parse(`query {
      viewer { login repositories(first: 100) { edges { node { id
        issues(first: 50) { edges { node { id
          labels(first: 60) { edges { node { id name } } } } } } } } } } }`);
    expect(graphqlCost(query)).toBe(51);
  });

  it('refuses a query the schema rejects', async () => {
    const server = await startFakeGithubServer({ repositories: {} });
    try {
      const loader = new GithubGraphqlLoader({
        octokit: octokit(server.apiBaseUrl),
      });
      await expect(
        loader.load('acme', 'x', {
          variables: {},
          text: () => 'tagsThatDoNotExist { name }',
        }),
      ).rejects.toThrow(/doesn't exist|Cannot query field/);
      expect(rejected(server)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
