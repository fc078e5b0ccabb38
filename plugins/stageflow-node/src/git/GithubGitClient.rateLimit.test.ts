import { createGithubOctokit, GithubResponseCache } from './githubOctokit';
import { GithubGitClient } from './GithubGitClient';
import { UpstreamError } from '../resilience/UpstreamError';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import { staleReasonOf } from '../resilience/LastKnownGood';
import {
  createDemoRepository,
  makeTempDir,
} from '../testUtils/git/gitFixtures';
import {
  FakeGithubServer,
  startFakeGithubServer,
} from '../testUtils/git/fakeGithubServer';

jest.setTimeout(60_000);

describe('GithubGitClient under GitHub rate limits', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: FakeGithubServer;
  let clock: number;

  beforeAll(async () => {
    temp = await makeTempDir('github-rate-limit');
    const demo = await createDemoRepository(temp.dir);
    server = await startFakeGithubServer({
      repositories: { 'acme/demo': demo.path },
    });
  });
  afterAll(async () => {
    await server.close();
    await temp.cleanup();
  });
  beforeEach(() => {
    server.setRateLimit(undefined);
    server.requests.length = 0;
    clock = Date.now();
  });

  // The policy's clock is ours, so that a reset an hour away can pass.
  const client = () =>
    new GithubGitClient({
      host: 'ghe.example.com',
      owner: 'acme',
      repo: 'demo',
      octokit: createGithubOctokit({
        apiBaseUrl: server.apiBaseUrl,
        cache: new GithubResponseCache(),
        policy: new UpstreamPolicy({
          kind: 'git',
          host: 'ghe.example.com',
          options: { ...DEFAULT_RESILIENCE, backoffMs: 1 },
          now: () => clock,
        }),
      }),
    });

  it('sends nothing while the primary limit (403) holds, and again after its reset', async () => {
    const resetAt = new Date(Math.ceil(clock / 1000) * 1000 + 3600_000);
    server.setRateLimit({ mode: 'primary', resetAt });
    const repository = client();

    const first = await repository.getDefaultBranch().catch(e => e);
    expect(first).toBeInstanceOf(UpstreamError);
    expect(first.message).toBe(
      `Git host ghe.example.com failed to read the repository for acme/demo: HTTP 403, rate limited until ${resetAt.toISOString()}`,
    );
    expect(server.requests).toHaveLength(1);

    // Five more card renders: not one request until the reset.
    for (let i = 0; i < 5; i++) {
      const error = await repository.listTags().catch(e => e);
      expect(error.message).toBe(
        `Git host ghe.example.com failed to list tags for acme/demo: rate limited until ${resetAt.toISOString()}, request not sent`,
      );
      expect(staleReasonOf(error)).toEqual({
        reason: 'Git host ghe.example.com rate limited',
        until: resetAt.toISOString(),
      });
    }
    expect(server.requests).toHaveLength(1);

    server.setRateLimit(undefined);
    clock = resetAt.getTime() + 1;
    await expect(repository.getDefaultBranch()).resolves.toBe('main');
    expect(server.requests).toHaveLength(2);
  });

  it('sends nothing after the answer that spends the budget (x-ratelimit-remaining: 0)', async () => {
    const resetAt = new Date(Math.ceil(clock / 1000) * 1000 + 3600_000);
    server.setRateLimit({ mode: 'primary', resetAt, remaining: 1 });
    const repository = client();
    await expect(repository.getDefaultBranch()).resolves.toBe('main');
    await expect(repository.listTags()).rejects.toThrow(
      `rate limited until ${resetAt.toISOString()}, request not sent`,
    );
    expect(server.requests.map(r => r.status)).toEqual([200]);
  });

  it('honours a 429 retry-after beyond the longest wait: no retry, nothing sent until then', async () => {
    server.setRateLimit({ mode: '429', retryAfterSeconds: 30 });
    const repository = client();
    const error = await repository.getDefaultBranch().catch(e => e);
    expect(error).toMatchObject({ status: 429, rateLimited: true });
    expect(error.until.getTime()).toBe(clock + 30_000);
    await expect(repository.listBranches()).rejects.toThrow('request not sent');
    expect(server.requests).toHaveLength(1);

    server.setRateLimit(undefined);
    clock += 30_001;
    await expect(repository.listBranches()).resolves.toContainEqual(
      expect.objectContaining({ name: 'main' }),
    );
    expect(server.requests).toHaveLength(2);
  });

  it.each(['429', 'secondary'] as const)(
    'waits out a short %s retry-after, then retries and succeeds',
    async mode => {
      server.setRateLimit({ mode, retryAfterSeconds: 1 });
      const repository = new GithubGitClient({
        host: 'ghe.example.com',
        owner: 'acme',
        repo: 'demo',
        octokit: createGithubOctokit({
          apiBaseUrl: server.apiBaseUrl,
          policy: new UpstreamPolicy({
            kind: 'git',
            host: 'ghe.example.com',
            options: { ...DEFAULT_RESILIENCE, backoffMs: 1 },
          }),
        }),
      });
      const pending = repository.getDefaultBranch();
      // Lift the limit once the first answer went out.
      while (server.requests.length === 0) {
        await new Promise(r => setTimeout(r, 10));
      }
      server.setRateLimit(undefined);
      await expect(pending).resolves.toBe('main');
      const [limited, retried] = server.requests;
      expect(limited.status).toBe(mode === '429' ? 429 : 403);
      expect(retried.status).toBe(200);
      expect(retried.at - limited.at).toBeGreaterThanOrEqual(1000);
    },
  );
});
