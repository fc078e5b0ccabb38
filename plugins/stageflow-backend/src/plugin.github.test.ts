import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DemoUpstreams,
  startDemoUpstreams,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { stageflowPlugin } from './plugin';

jest.setTimeout(60_000);

describe('stageflowPlugin on GitHub and a distribution registry', () => {
  let upstreams: DemoUpstreams;
  let server: any;

  // A lightweight tag, as `git tag v0.9.0 && git push --tags` makes: no tag
  // object, so no date of its own.
  let rootCommit: { sha: string; date: string };

  beforeAll(async () => {
    upstreams = await startDemoUpstreams();
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: upstreams.phippyRepository,
        encoding: 'utf8',
      }).trim();
    const sha = git('rev-list', '--max-parents=0', 'develop');
    rootCommit = { sha, date: git('show', '-s', '--format=%cI', sha) };
    git('tag', 'v0.9.0', sha);
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        mockServices.rootConfig.factory({ data: upstreams.config as any }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'phippy',
                annotations: upstreams.phippyAnnotations,
              },
              spec: { type: 'website', owner: 'team-a' },
            },
          ],
        }),
      ],
    });
    server = backend.server;
  });

  afterAll(() => upstreams?.stop());

  it('resolves the stages through the GitHub API and the registry, and a warm render asks GitHub nothing', async () => {
    const { github } = upstreams;
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
    const { github } = upstreams;
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
    // The comparison is one GraphQL query (both sides' histories) shared by
    // all twenty requests.
    expect(
      github.requests.slice(before).map(r => `${r.method} ${r.path}`),
    ).toEqual(['POST /api/graphql']);
  });

  it('dates a lightweight release by its commit, annotated ones by their tag', async () => {
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/releases',
    );
    expect(res.status).toBe(200);
    const byTag = Object.fromEntries(
      res.body.releases.map((r: any) => [r.tag, r]),
    );
    expect(byTag['v0.9.0']).toMatchObject({ sha: rootCommit.sha });
    expect(Date.parse(byTag['v0.9.0'].date)).toBe(Date.parse(rootCommit.date));
    // Every release has a date, the annotated ones their tagger's.
    for (const release of res.body.releases) {
      expect(Date.parse(release.date)).not.toBeNaN();
    }
  });
});
