import {
  MockFetchApi,
  mockApis,
  registerMswTestHooks,
} from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { staleText } from '../components/shared';
import { StageflowClient } from './StageflowClient';

const baseUrl = 'http://stageflow.test/api/stageflow';
const entity = { kind: 'Component', namespace: 'default', name: 'phippy' };

describe('StageflowClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new StageflowClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://stageflow.test' }),
    fetchApi: new MockFetchApi(),
  });

  it('reads the stages of an entity under its lower-cased ref', async () => {
    server.use(
      http.get(`${baseUrl}/v1/entities/component/default/phippy/stages`, () =>
        HttpResponse.json({
          entityRef: 'component:default/phippy',
          flow: 'oneflow',
          stages: [],
        }),
      ),
    );
    await expect(client.getStages(entity)).resolves.toMatchObject({
      flow: 'oneflow',
    });
  });

  it('keeps the stale mark of an answer from the last known state, and the card says it plainly', async () => {
    const asOf = new Date(Date.now() - 5 * 60_000).toISOString();
    const until = '2026-12-01T08:53:00.000Z';
    // What the backend answers while GitHub is rate limited.
    server.use(
      http.get(`${baseUrl}/v1/entities/component/default/phippy/stages`, () =>
        HttpResponse.json({
          entityRef: 'component:default/phippy',
          flow: 'oneflow',
          stages: [
            {
              name: 'staging',
              image: 'registry.acme.example/acme/phippy/develop:latest',
              digest: `sha256:${'1'.repeat(64)}`,
              revision: 'a'.repeat(40),
              version: 'v1.3.0-2-gaaaaaaa',
              status: 'ok',
            },
          ],
          latestRelease: {
            tag: 'v1.3.0',
            version: '1.3.0',
            sha: 'b'.repeat(40),
            prerelease: false,
          },
          stale: { asOf, reason: 'Git host github.com rate limited', until },
        }),
      ),
    );
    const answer = await client.getStages(entity);
    expect(answer.stale).toEqual({
      asOf,
      reason: 'Git host github.com rate limited',
      until,
    });
    expect(staleText(answer.stale!)).toMatch(
      /^as of 5 minutes ago: Git host github\.com rate limited until \d{1,2}:\d{2}( [AP]M)?$/,
    );
  });

  it('encodes the parts of the entity path', async () => {
    let seen = '';
    server.use(
      http.get(`${baseUrl}/v1/entities/*`, ({ request }) => {
        seen = new URL(request.url).pathname;
        return HttpResponse.json({ releases: [] });
      }),
    );
    await client.getReleases({
      kind: 'Component',
      namespace: 'my ns',
      name: 'a/b',
    });
    expect(seen).toBe(
      '/api/stageflow/v1/entities/component/my%20ns/a%2Fb/releases',
    );
  });

  it('reads the history', async () => {
    server.use(
      http.get(`${baseUrl}/v1/entities/component/default/phippy/history`, () =>
        HttpResponse.json({
          transitions: [],
          dora: {
            stage: 'prod',
            windowDays: 30,
            deployments: 0,
            deploymentsPerWeek: 0,
          },
        }),
      ),
    );
    await expect(client.getHistory(entity)).resolves.toMatchObject({
      dora: { stage: 'prod' },
    });
  });

  it('reads the unreleased commits and the hotfixes', async () => {
    server.use(
      http.get(
        `${baseUrl}/v1/entities/component/default/phippy/unreleased`,
        () =>
          HttpResponse.json({
            branch: 'develop',
            commits: [],
            bump: 'none',
          }),
      ),
      http.get(`${baseUrl}/v1/entities/component/default/phippy/hotfixes`, () =>
        HttpResponse.json({
          open: [{ branch: 'hotfix/menu', sha: 'abc' }],
          candidates: [],
        }),
      ),
    );
    await expect(client.getUnreleased(entity)).resolves.toMatchObject({
      branch: 'develop',
    });
    await expect(client.getHotfixes(entity)).resolves.toMatchObject({
      open: [{ branch: 'hotfix/menu' }],
    });
  });

  it('passes the compare range as encoded query parameters', async () => {
    let query: URLSearchParams | undefined;
    server.use(
      http.get(
        `${baseUrl}/v1/entities/component/default/phippy/compare`,
        ({ request }) => {
          query = new URL(request.url).searchParams;
          return HttpResponse.json({ commits: [], groups: {}, bump: 'none' });
        },
      ),
    );
    await client.getCompare(entity, { from: 'v1.0.0', to: 'feat/a&b' });
    expect(query?.get('from')).toBe('v1.0.0');
    expect(query?.get('to')).toBe('feat/a&b');
  });

  it('pages and filters the overview, leaving out empty filters', async () => {
    let query: URLSearchParams | undefined;
    server.use(
      http.get(`${baseUrl}/v1/overview`, ({ request }) => {
        query = new URL(request.url).searchParams;
        return HttpResponse.json({ items: [], totalCount: 0 });
      }),
    );
    await client.getOverview({
      limit: 20,
      offset: 40,
      owner: 'group:default/team-a',
      flow: '',
    });
    expect(Object.fromEntries(query!.entries())).toEqual({
      limit: '20',
      offset: '40',
      owner: 'group:default/team-a',
    });

    await client.getOverview();
    expect([...query!.keys()]).toEqual([]);
  });

  it.each([404, 502])('throws a ResponseError on %s', async status => {
    server.use(
      http.get(`${baseUrl}/v1/entities/component/default/phippy/stages`, () =>
        HttpResponse.json(
          {
            error: { name: 'SomeError', message: `failed with ${status}` },
            request: { method: 'GET', url: '/stages' },
            response: { statusCode: status },
          },
          { status },
        ),
      ),
    );
    const error = await client.getStages(entity).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(status);
    expect(error.body.error.message).toBe(`failed with ${status}`);
  });
});
