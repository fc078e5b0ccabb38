import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEMO_REGISTRY_HOST,
  DistributionRegistryClient,
  OciLayoutRegistryClient,
  copyImageBetween,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  FakeGithubServer,
  TestRegistry,
  startFakeGithubServer,
  startTestRegistry,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { stageflowPlugin } from './plugin';

jest.setTimeout(60_000);

describe('stageflowPlugin on GitHub and a distribution registry', () => {
  let dir: string;
  let github: FakeGithubServer;
  let registry: TestRegistry;
  let server: any;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-github-'));
    const data = await generateDemoData(join(dir, 'demo'));
    github = await startFakeGithubServer({
      repositories: { 'acme/phippy': join(data.gitDir, 'acme', 'phippy.git') },
      token: 'test-token',
    });
    registry = await startTestRegistry('basic');

    // Publish Phippy's images to the real registry, as its CI would.
    const layout = new OciLayoutRegistryClient({
      host: DEMO_REGISTRY_HOST,
      path: data.ociDir,
    });
    const target = new DistributionRegistryClient({
      host: registry.host,
      url: registry.url,
      credentials: {
        username: registry.username,
        password: registry.password,
      },
    });
    for (const repository of [
      'acme/phippy/release-candidate',
      'acme/phippy/develop',
      'acme/phippy/stable',
    ]) {
      for (const tag of await layout.listTags(repository)) {
        await copyImageBetween(
          {
            client: layout,
            ref: { registry: DEMO_REGISTRY_HOST, repository, tag },
          },
          {
            client: target,
            refs: [{ registry: registry.host, repository, tag }],
          },
        );
      }
    }

    const githubHost = new URL(github.apiBaseUrl).host;
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                {
                  host: githubHost,
                  apiBaseUrl: github.apiBaseUrl,
                  token: 'test-token',
                },
              ],
            },
            stageflow: {
              registries: [
                {
                  host: registry.host,
                  url: registry.url,
                  username: registry.username,
                  password: registry.password,
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'phippy',
                annotations: {
                  'stageflow.io/flow': 'oneflow',
                  'stageflow.io/image': `${registry.host}/acme/phippy`,
                  'github.com/project-slug': 'acme/phippy',
                  'backstage.io/source-location': `url:http://${githubHost}/acme/phippy/tree/develop/`,
                },
              },
              spec: { type: 'website', owner: 'team-a' },
            },
          ],
        }),
      ],
    });
    server = backend.server;
  });

  afterAll(async () => {
    await github?.close();
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves the stages through the GitHub API and the registry, and a warm render asks GitHub nothing', async () => {
    const cold = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/stages',
    );
    expect(cold.status).toBe(200);
    expect(
      cold.body.stages.map((s: any) => [s.name, s.status, s.version ?? null]),
    ).toEqual([
      ['staging', 'ok', expect.stringMatching(/^v1\.3\.0-2-g/)],
      ['prod', 'ok', '1.2.1'],
    ]);
    expect(cold.body.stages[1].behind).toEqual({
      stage: 'staging',
      commits: 5,
      releases: 1,
    });
    const coldRequests = github.requests.length;
    expect(coldRequests).toBeGreaterThan(0);

    const warm = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/stages',
    );
    expect(warm.body).toEqual(cold.body);
    expect(github.requests.length).toBe(coldRequests);
  });

  it('shares one upstream read between concurrent requests', async () => {
    const before = github.requests.length;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(server).get(
          '/api/stageflow/v1/entities/component/default/phippy/compare?from=v1.0.0&to=v1.1.0',
        ),
      ),
    );
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.body.commits.map((c: any) => c.subject)).toEqual([
        'fix: validate the e-mail field',
        'feat: contact form',
      ]);
    }
    const compares = github.requests
      .slice(before)
      .filter(r => r.path.includes('/compare/'));
    expect(compares).toHaveLength(1);
  });
});
