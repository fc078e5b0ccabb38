import { createGithubOctokit, GithubResponseCache } from './githubOctokit';
import { GithubGitClient } from './GithubGitClient';
import { listReleases } from './listReleases';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import { runGitContract } from '../testUtils/git/gitContract';
import {
  createDemoRepository,
  createManyTagsRepository,
  makeTempDir,
} from '../testUtils/git/gitFixtures';
import { startFakeGithubServer } from '../testUtils/git/fakeGithubServer';

jest.setTimeout(120_000);

function client(apiBaseUrl: string, repo: string, token?: string) {
  return new GithubGitClient({
    host: 'ghe.example.com',
    owner: 'acme',
    repo,
    octokit: createGithubOctokit({
      apiBaseUrl,
      cache: new GithubResponseCache(),
      getToken: async () => token,
      policy: new UpstreamPolicy({
        kind: 'git',
        host: 'ghe.example.com',
        options: { ...DEFAULT_RESILIENCE, backoffMs: 1 },
      }),
    }),
  });
}

runGitContract('GithubGitClient against a fake GitHub', async () => {
  const temp = await makeTempDir('github-contract');
  const demo = await createDemoRepository(temp.dir);
  const server = await startFakeGithubServer({
    repositories: { 'acme/demo': demo.path },
    token: 'test-token',
  });
  return {
    repository: client(server.apiBaseUrl, 'demo', 'test-token'),
    demo,
    requestCount: () => server.requests.length,
    teardown: async () => {
      await server.close();
      await temp.cleanup();
    },
  };
});

describe('GithubGitClient request counts', () => {
  it('lists 1,000 release tags from one matching-refs response, and re-reads them with a 304', async () => {
    const temp = await makeTempDir('github-many');
    const server = await startFakeGithubServer({
      repositories: {
        'acme/many': await createManyTagsRepository(temp.dir, 1000),
      },
    });
    try {
      const repository = client(server.apiBaseUrl, 'many');

      const first = await listReleases(repository, 'v{version}');
      expect(first).toHaveLength(1000);
      expect(first[0].tag).toBe('v1.999.0');
      expect(first[999].tag).toBe('v1.0.0');
      expect(
        first.every((r, i) => i === 0 || r.version !== first[i - 1].version),
      ).toBe(true);
      const firstCount = server.requests.length;
      const refPages = server.countBy(r =>
        r.path.includes('/git/matching-refs/'),
      );
      const tagReads = server.countBy(r => r.path.includes('/git/tags/'));

      const second = await listReleases(repository, 'v{version}');
      expect(second).toEqual(first);
      const reread = server.requests.slice(firstCount);
      const notModified = reread.filter(r => r.status === 304).length;

      // eslint-disable-next-line no-console
      console.log(
        `1,000 tags (500 annotated): first listing ${firstCount} requests ` +
          `(${refPages} ref list, ${tagReads} tag object reads); ` +
          `re-read ${reread.length} requests, ${notModified} answered 304`,
      );
      // GitHub answers matching-refs with every ref at once, unpaged.
      expect(refPages).toBe(1);
      expect(tagReads).toBe(500);
      expect(firstCount).toBe(501);
      expect(reread).toHaveLength(1);
      expect(notModified).toBe(1);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('answers an unchanged default branch read from its ETag', async () => {
    const temp = await makeTempDir('github-etag');
    const demo = await createDemoRepository(temp.dir);
    const server = await startFakeGithubServer({
      repositories: { 'acme/demo': demo.path },
    });
    try {
      const repository = client(server.apiBaseUrl, 'demo');
      await expect(repository.getDefaultBranch()).resolves.toBe('main');
      await expect(repository.getDefaultBranch()).resolves.toBe('main');
      expect(server.requests.map(r => r.status)).toEqual([200, 304]);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});
