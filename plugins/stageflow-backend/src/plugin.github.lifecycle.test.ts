import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DemoUpstreams,
  startDemoUpstreams,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { stageflowPlugin } from './plugin';

jest.setTimeout(120_000);

const john = 'user:default/john.doe';

/**
 * The lifecycle writes on GitHub (the fake server over a real bare
 * repository, answering as GitHub's OpenAPI description says): a release
 * is an annotated tag and a GitHub Release with the same notes; finishing
 * a hotfix opens a pull request.
 */
describe('the branch lifecycle on GitHub', () => {
  let upstreams: DemoUpstreams;
  let server: any;
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: upstreams.phippyRepository,
      encoding: 'utf8',
    }).trim();
  const post = (path: string, body: object) =>
    request(server)
      .post(`/api/stageflow${path}`)
      .set('Authorization', mockCredentials.user.header(john))
      .send(body);
  const githubReleases = async () => {
    const res = await fetch(
      `${upstreams.github.apiBaseUrl}/repos/acme/phippy/releases`,
      { headers: { Authorization: 'token test-token' } },
    );
    return (await res.json()) as Array<{ tag_name: string; body: string }>;
  };
  const target = { entityRef: 'component:default/phippy' };

  beforeAll(async () => {
    upstreams = await startDemoUpstreams();
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

  it('starts a hotfix (no cherry-picks on GitHub), tags it with notes as a GitHub Release, and finishes it with a pull request', async () => {
    const hotfixes = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/hotfixes',
    );
    expect(hotfixes.status).toBe(200);
    const fix = hotfixes.body.candidates.find(
      (c: { subject: string }) => c.subject === 'fix: footer typo',
    );
    expect(fix).toBeDefined();

    // GitHub has no cherry-pick: refused, clearly, with nothing pushed.
    const refs = git('show-ref');
    const picked = await post('/v1/hotfixes', {
      target,
      name: 'footer',
      cherryPick: [fix.sha],
    });
    expect(picked.status).toBe(501);
    expect(picked.body.error.message).toMatch(
      /Cherry-picks are not supported on GitHub hosts/,
    );
    expect(git('show-ref')).toBe(refs);

    const started = await post('/v1/hotfixes', { target, name: 'footer' });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      branch: 'hotfix/footer',
      fromTag: 'v1.3.0',
    });
    // The fix lands on the branch as a developer pushes it.
    const tree = git('rev-parse', `${fix.sha}^{tree}`);
    const commit = git(
      '-c',
      'user.name=Dev',
      '-c',
      'user.email=dev@acme.example',
      'commit-tree',
      tree,
      '-p',
      started.body.sha,
      '-m',
      'fix: footer typo',
    );
    git('update-ref', 'refs/heads/hotfix/footer', commit);

    const tagged = await post('/v1/releases', {
      target,
      ref: 'hotfix/footer',
      bump: 'patch',
    });
    expect(tagged.status).toBe(200);
    expect(tagged.body).toMatchObject({ tag: 'v1.3.1', baseTag: 'v1.3.0' });
    expect(tagged.body.notes).toMatch(
      /^### Fixes\n\n- footer typo \(\[[0-9a-f]{7}\]\(https?:\/\/[^)]+\/commit\/[0-9a-f]{40}\)\)$/,
    );
    expect(git('cat-file', '-t', 'v1.3.1')).toBe('tag');
    expect(await githubReleases()).toContainEqual(
      expect.objectContaining({ tag_name: 'v1.3.1', body: tagged.body.notes }),
    );
    const releases = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/releases',
    );
    expect(releases.body.releases[0]).toMatchObject({
      tag: 'v1.3.1',
      notes: tagged.body.notes,
    });

    const develop = git('rev-parse', 'develop');
    const finished = await post('/v1/hotfixes/finish', {
      target,
      branch: 'hotfix/footer',
      deleteBranch: true,
    });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({
      from: 'hotfix/footer',
      into: 'develop',
      outcome: 'pull-request',
      pullRequestUrl: expect.stringMatching(/\/pull\/\d+$/),
      branchDeleted: false,
    });
    // The pull request merges on GitHub, not here; the branch waits for it.
    expect(git('rev-parse', 'develop')).toBe(develop);
    expect(git('rev-parse', 'hotfix/footer')).toBe(commit);
  });
});
