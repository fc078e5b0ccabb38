import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { stageflowPlugin } from './plugin';

// The demo data is generated before the backend starts: seconds on a busy
// machine, more than jest's default of five.
jest.setTimeout(60_000);

function component(
  name: string,
  flow: string,
  extra: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'stageflow.io/flow': flow,
        'stageflow.io/image': `registry.acme.example/acme/${name}`,
        'stageflow.io/git-url': `https://git.acme.example/acme/${name}.git`,
        ...extra,
      },
    },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

jest.setTimeout(60_000);

describe('stageflowPlugin on the demo data', () => {
  let dir: string;
  let server: any;
  // A registry that is down; everything else passes through to the real
  // (local) servers.
  const registryDown = setupServer(
    http.all('http://registry.broken.example/*', () =>
      HttpResponse.json({ errors: [] }, { status: 503 }),
    ),
  );
  beforeAll(() => registryDown.listen({ onUnhandledRequest: 'bypass' }));
  afterAll(() => registryDown.close());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-backend-'));
    const data = await generateDemoData(join(dir, 'demo'));
    const demo = demoStageflowConfig(data);
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        cacheServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              cache: {
                store: 'redis',
                connection: 'redis://127.0.0.1:6379',
              },
            },
            stageflow: {
              cache: { ttlSeconds: 1 },
              git: {
                ...demo.git,
                hosts: [
                  ...demo.git.hosts,
                  {
                    host: 'git.broken.example',
                    baseUrl: pathToFileURL(join(dir, 'no-such-dir')).href,
                  },
                ],
              },
              registries: [
                ...demo.registries,
                {
                  host: 'registry.broken.example',
                  url: 'http://registry.broken.example',
                  timeoutMs: 2000,
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            component('phippy', 'oneflow'),
            component('goldie', 'gitflow'),
            component('broken', 'oneflow', {
              'stageflow.io/image': 'registry.broken.example/acme/broken',
              'stageflow.io/git-url':
                'https://git.broken.example/acme/broken.git',
            }),
            component('nowhere', 'oneflow', {
              'stageflow.io/image': 'registry.unknown.example/acme/nowhere',
            }),
          ],
        }),
      ],
    });
    server = backend.server;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the health check without credentials', async () => {
    const res = await request(server).get('/api/stageflow/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('resolves the Oneflow stages of Phippy: staging ok, prod one release behind', async () => {
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/stages',
    );
    expect(res.status).toBe(200);
    expect(res.body.flow).toBe('oneflow');
    expect(res.body.latestRelease).toMatchObject({
      tag: 'v1.3.0',
      version: '1.3.0',
    });
    const [staging, prod] = res.body.stages;
    expect(staging).toMatchObject({
      name: 'staging',
      image: 'registry.acme.example/acme/phippy/develop:latest',
      status: 'ok',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      revision: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(staging.tag).toBeUndefined();
    expect(prod).toMatchObject({
      name: 'prod',
      image: 'registry.acme.example/acme/phippy/stable:latest',
      status: 'ok',
      version: '1.2.1',
      tag: 'v1.2.1',
      behind: { stage: 'staging', commits: 5, releases: 1 },
    });
  });

  it('shows the rebuilt production image of Goldie as drift', async () => {
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/goldie/stages',
    );
    expect(res.status).toBe(200);
    expect(
      res.body.stages.map((s: any) => [s.name, s.status, s.version]),
    ).toEqual([
      ['dev', 'ok', expect.stringMatching(/^1\.2\.1-\d+-g[0-9a-f]+$/)],
      ['int', 'ok', '1.2.1'],
      ['prd', 'drift', '1.2.1'],
    ]);
    expect(res.body.stages[2].message).toMatch(/rebuilt, not promoted/);
    expect(res.body.stages[1].behind).toEqual({
      stage: 'dev',
      commits: 5,
      releases: 0,
    });
  });

  it('lists releases newest SemVer first', async () => {
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/releases',
    );
    expect(res.status).toBe(200);
    expect(res.body.releases.map((r: any) => r.tag)).toEqual([
      'v1.3.0',
      'v1.2.1',
      'v1.2.0',
      'v1.1.0',
      'v1.0.0',
    ]);
  });

  it('compares two stages by conventional-commit type with the next version', async () => {
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/compare?from=prod&to=staging',
    );
    expect(res.status).toBe(200);
    expect(res.body.from).toMatchObject({ ref: 'prod', version: '1.2.1' });
    expect(res.body.aheadBy).toBe(5);
    expect(Object.keys(res.body.groups).sort()).toEqual([
      'chore',
      'feat',
      'fix',
    ]);
    expect(res.body.groups.feat.map((c: any) => c.subject)).toEqual([
      'feat: cookie banner',
      'feat: newsletter sign-up',
      'feat: search',
    ]);
    expect(res.body.bump).toBe('minor');
    expect(res.body.nextVersion).toBe('1.3.0');
  });

  it('compares release tags', async () => {
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/compare?from=v1.0.0&to=v1.1.0',
    );
    expect(res.status).toBe(200);
    expect(res.body.commits.map((c: any) => c.subject)).toEqual([
      'fix: validate the e-mail field',
      'feat: contact form',
    ]);
    expect(res.body.nextVersion).toBe('1.1.0');
  });

  it.each([
    ['?to=staging', "Invalid query parameter 'from': is required"],
    [
      '?from=prod&to=a..b',
      "to must be a stage (staging, prod), a release tag or a commit sha; 'a..b' is not a valid ref name",
    ],
    [
      '?from=prod&to=v9.9.9',
      "to: 'v9.9.9' is neither a stage, a release tag nor a commit of component:default/phippy",
    ],
  ])('refuses bad compare input %s with 400', async (query, message) => {
    const res = await request(server).get(
      `/api/stageflow/v1/entities/component/default/phippy/compare${query}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ name: 'InputError', message });
  });

  it('refuses a bad path parameter with 400 and an unknown entity with 404', async () => {
    const bad = await request(server).get(
      '/api/stageflow/v1/entities/component/default/-x/stages',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      "Invalid path parameter 'name': must be an entity name",
    );
    const missing = await request(server).get(
      '/api/stageflow/v1/entities/component/default/unknown/stages',
    );
    expect(missing.status).toBe(404);
  });

  it('reports a registry host that config does not name on its stages, not as a failed request', async () => {
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/nowhere/stages',
    );
    expect(res.status).toBe(200);
    for (const stage of res.body.stages) {
      expect(stage.status).toBe('error');
      expect(stage.message).toMatch(
        /registry\.unknown\.example is not configured in stageflow\.registries/,
      );
    }
  });

  it('pages and filters the overview', async () => {
    const all = await request(server).get('/api/stageflow/v1/overview');
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(4);
    expect(all.body.items.map((i: any) => i.entityRef)).toEqual([
      'component:default/broken',
      'component:default/goldie',
      'component:default/nowhere',
      'component:default/phippy',
    ]);
    const page = await request(server).get(
      '/api/stageflow/v1/overview?flow=oneflow&limit=1&offset=2',
    );
    expect(page.body.totalCount).toBe(3);
    expect(page.body.items.map((i: any) => i.entityRef)).toEqual([
      'component:default/phippy',
    ]);
    const bad = await request(server).get('/api/stageflow/v1/overview?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      "Invalid query parameter 'limit': must be between 1 and 500",
    );
  });

  it('reports upstream failures as such: 502 for git, an error status per stage for the registry', async () => {
    const releases = await request(server).get(
      '/api/stageflow/v1/entities/component/default/broken/releases',
    );
    expect(releases.status).toBe(502);
    expect(releases.body.error.message).toMatch(/git\.broken\.example/);

    const stages = await request(server).get(
      '/api/stageflow/v1/entities/component/default/broken/stages',
    );
    expect(stages.status).toBe(200);
    for (const stage of stages.body.stages) {
      expect(stage.status).toBe('error');
      expect(stage.message).toMatch(/registry\.broken\.example/);
      expect(stage.message).toMatch(/503/);
    }
  });
});
