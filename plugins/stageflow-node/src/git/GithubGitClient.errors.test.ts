import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { createGithubOctokit } from './githubOctokit';
import { GithubGitClient } from './GithubGitClient';
import { UpstreamError } from '../resilience/UpstreamError';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';

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
        policy: new UpstreamPolicy({
          kind: 'git',
          host: 'ghe.example.com',
          options: { ...DEFAULT_RESILIENCE, backoffMs: 1 },
        }),
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
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).not.toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      host: 'ghe.example.com',
      repository: 'acme/demo',
      status: 401,
    });
    expect(error.message).toBe(
      'Git host ghe.example.com failed to read the repository for acme/demo: HTTP 401, authentication failed; check integrations.github credentials',
    );
    expect(requests).toBe(1);
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

  it('maps an existing ref (422) to ConflictError', async () => {
    server.use(
      http.post(`${REPO}/git/refs`, () =>
        HttpResponse.json(
          { message: 'Reference already exists' },
          { status: 422 },
        ),
      ),
    );
    await expect(client().createBranch('hotfix/x', SHA)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(requests).toBe(1);
  });

  it('retries a 5xx twice, then reports a clear upstream failure', async () => {
    server.use(
      http.get(REPO, () =>
        HttpResponse.json({ message: 'Server Error' }, { status: 502 }),
      ),
    );
    const error = await failure(client().getDefaultBranch());
    expect(error).toBeInstanceOf(UpstreamError);
    // The status, not the host's body: error bodies carry no upstream internals.
    expect(error.message).toBe(
      'Git host ghe.example.com failed to read the repository for acme/demo: HTTP 502',
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

  it('reports a network failure as no response, not as a status', async () => {
    server.use(http.get(REPO, () => HttpResponse.error()));
    const error = await failure(client().getDefaultBranch());
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(
      'Git host ghe.example.com failed to read the repository for acme/demo: no response (network failure)',
    );
    expect(requests).toBe(3);
  });

  it('sends a write once: no retry of a POST that failed', async () => {
    server.use(
      http.post(`${REPO}/git/refs`, () =>
        HttpResponse.json({ message: 'unavailable' }, { status: 503 }),
      ),
    );
    const error = await failure(client().createBranch('hotfix/x', SHA));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toContain('HTTP 503');
    expect(requests).toBe(1);
  });
});
