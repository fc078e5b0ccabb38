import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { createGithubOctokit } from './githubOctokit';
import { GithubGitClient } from './GithubGitClient';
import { GitUpstreamError } from './errors';

const API = 'https://ghe.example.com/api/v3';
const REPO = `${API}/repos/acme/demo`;
const TOKEN = 'ghp_secret-token-123';
const SHA = 'a'.repeat(40);

describe('GithubGitClient error paths', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  let requests: number;
  beforeEach(() => {
    requests = 0;
    server.events.on('request:start', () => {
      requests++;
    });
  });
  afterEach(() => server.events.removeAllListeners());

  const client = () =>
    new GithubGitClient({
      host: 'ghe.example.com',
      owner: 'acme',
      repo: 'demo',
      octokit: createGithubOctokit({
        apiBaseUrl: API,
        getToken: async () => TOKEN,
        retry: { retryDelayBaseMs: 1 },
      }),
    });

  async function failure(promise: Promise<unknown>) {
    const error = await promise.then(
      () => {
        throw new Error('expected a failure');
      },
      e => e,
    );
    expect(JSON.stringify({ message: error.message, ...error })).not.toContain(
      TOKEN,
    );
    return error;
  }

  it('sends the token and reports 401 as an upstream failure, without retrying', async () => {
    let authorization: string | null = null;
    server.use(
      http.get(REPO, ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json(
          { message: 'Bad credentials' },
          { status: 401 },
        );
      }),
    );
    const error = await failure(client().getDefaultBranch());
    expect(authorization).toBe(`token ${TOKEN}`);
    expect(error).toBeInstanceOf(GitUpstreamError);
    expect(error).not.toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      host: 'ghe.example.com',
      repository: 'acme/demo',
      status: 401,
    });
    expect(error.message).toMatch(
      /^Git host ghe\.example\.com failed to read the repository for repository acme\/demo with status 401: authentication failed/,
    );
    expect(requests).toBe(1);
  });

  it('waits for the rate limit reset and retries, at most twice', async () => {
    server.use(
      http.get(REPO, () =>
        HttpResponse.json(
          { message: 'API rate limit exceeded' },
          {
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 2),
            },
          },
        ),
      ),
    );
    const error = await failure(client().getDefaultBranch());
    expect(error).toBeInstanceOf(GitUpstreamError);
    expect(error.message).toMatch(
      /status 403: rate limit exceeded, resets at \d{4}-/,
    );
    expect(requests).toBe(3);
  });

  it('does not wait for a rate limit reset far away', async () => {
    server.use(
      http.get(REPO, () =>
        HttpResponse.json(
          { message: 'API rate limit exceeded' },
          {
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
            },
          },
        ),
      ),
    );
    const error = await failure(client().getDefaultBranch());
    expect(error).toBeInstanceOf(GitUpstreamError);
    expect(requests).toBe(1);
  });

  it('retries after a secondary rate limit, honouring retry-after', async () => {
    let calls = 0;
    server.use(
      http.get(REPO, () =>
        ++calls === 1
          ? HttpResponse.json(
              { message: 'You have exceeded a secondary rate limit' },
              { status: 403, headers: { 'retry-after': '1' } },
            )
          : HttpResponse.json({ default_branch: 'develop' }),
      ),
    );
    await expect(client().getDefaultBranch()).resolves.toBe('develop');
    expect(requests).toBe(2);
  });

  it('maps 404 to NotFoundError', async () => {
    server.use(
      http.get(`${REPO}/commits/:ref`, () =>
        HttpResponse.json({ message: 'Not Found' }, { status: 404 }),
      ),
    );
    await expect(client().resolveCommit('main')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(requests).toBe(1);
  });

  it('maps 409 and 422 conflicts to ConflictError', async () => {
    server.use(
      http.get(`${REPO}/commits/:ref`, () =>
        HttpResponse.json(
          { message: 'Git Repository is empty.' },
          { status: 409 },
        ),
      ),
      http.post(`${REPO}/git/refs`, () =>
        HttpResponse.json(
          { message: 'Reference already exists' },
          { status: 422 },
        ),
      ),
    );
    await expect(client().resolveCommit('main')).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(client().createBranch('hotfix/x', SHA)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(requests).toBe(2);
  });

  it('lists no tags in an empty repository (409 on a paginated list)', async () => {
    server.use(
      http.get(`${REPO}/git/matching-refs/tags`, () =>
        HttpResponse.json(
          { message: 'Git Repository is empty.' },
          { status: 409 },
        ),
      ),
    );
    await expect(client().listTags()).resolves.toEqual([]);
  });

  it('retries a 5xx twice, then reports a clear upstream failure', async () => {
    server.use(
      http.get(REPO, () =>
        HttpResponse.json({ message: 'Server Error' }, { status: 502 }),
      ),
    );
    const error = await failure(client().getDefaultBranch());
    expect(error).toBeInstanceOf(GitUpstreamError);
    expect(error.message).toMatch(
      /^Git host ghe\.example\.com failed to read the repository for repository acme\/demo with status 502: Server Error/,
    );
    expect(requests).toBe(3);
  });

  it('recovers when a retry succeeds', async () => {
    let calls = 0;
    server.use(
      http.get(REPO, () =>
        ++calls === 1
          ? HttpResponse.json({ message: 'unavailable' }, { status: 503 })
          : HttpResponse.json({ default_branch: 'main' }),
      ),
    );
    await expect(client().getDefaultBranch()).resolves.toBe('main');
    expect(requests).toBe(2);
  });

  it('reports a network failure as an upstream failure', async () => {
    server.use(http.get(REPO, () => HttpResponse.error()));
    const error = await failure(client().getDefaultBranch());
    expect(error).toBeInstanceOf(GitUpstreamError);
    expect(error.message).toContain('ghe.example.com');
    expect(requests).toBe(3);
  });
});
