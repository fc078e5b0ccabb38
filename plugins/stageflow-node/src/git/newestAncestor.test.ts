import { join } from 'node:path';
import { createGithubOctokit } from './githubOctokit';
import { GithubGitClient } from './GithubGitClient';
import { PlainGitClient } from './PlainGitClient';
import type { GitRepository } from './types';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import {
  createDemoRepository,
  DemoRepository,
  makeTempDir,
} from '../testUtils/git/gitFixtures';
import {
  FakeGithubServer,
  startFakeGithubServer,
} from '../testUtils/git/fakeGithubServer';

jest.setTimeout(60_000);

// The demo: main 1 - 2 - 3, develop 1 - 2 - 3 - 4 - 5.
describe('newestAncestor: the base release of a commit in one ancestry query', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let demo: DemoRepository;
  let server: FakeGithubServer;
  let clients: Array<[string, GitRepository]>;

  beforeAll(async () => {
    temp = await makeTempDir('newest-ancestor');
    demo = await createDemoRepository(temp.dir);
    server = await startFakeGithubServer({
      repositories: { 'acme/demo': demo.path },
    });
    clients = [
      [
        'GitHub',
        new GithubGitClient({
          host: 'ghe.example.com',
          owner: 'acme',
          repo: 'demo',
          octokit: createGithubOctokit({
            apiBaseUrl: server.apiBaseUrl,
            policy: new UpstreamPolicy({
              kind: 'git',
              host: 'ghe.example.com',
              options: DEFAULT_RESILIENCE,
            }),
          }),
        }),
      ],
      [
        'plain git',
        new PlainGitClient({
          locator: { type: 'git', url: `file://${demo.path}` },
          remoteUrl: `file://${demo.path}`,
          cacheDir: join(temp.dir, 'cache'),
        }),
      ],
    ];
  });
  afterAll(async () => {
    await server.close();
    await temp.cleanup();
  });

  it.each(['GitHub', 'plain git'])(
    '%s: picks the first candidate that is the commit or its ancestor',
    async name => {
      const repository = clients.find(([n]) => n === name)![1];
      const c = demo.commits;
      await expect(
        repository.newestAncestor(c[5], [c[5], c[3], c[1]]),
      ).resolves.toBe(c[5]);
      await expect(
        repository.newestAncestor(c[3], [c[5], c[3], c[2]]),
      ).resolves.toBe(c[3]);
      await expect(
        repository.newestAncestor(c[4], [c[5], c[2], c[1]]),
      ).resolves.toBe(c[2]);
      await expect(
        repository.newestAncestor(c[1], [c[5], c[3]]),
      ).resolves.toBeUndefined();
      await expect(
        repository.newestAncestor(c[1], []),
      ).resolves.toBeUndefined();
    },
  );

  it('asks GitHub once when the newest candidate is an ancestor, whatever the number of releases', async () => {
    const github = clients[0][1];
    const candidates = [demo.commits[3], ...Array(300).fill(demo.commits[1])];
    const before = server.requests.length;
    await expect(
      github.newestAncestor(demo.commits[5], candidates),
    ).resolves.toBe(demo.commits[3]);
    expect(server.requests.length - before).toBe(1);
  });
});
