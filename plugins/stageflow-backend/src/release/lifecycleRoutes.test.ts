import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { STAGEFLOW_EVENT_TOPIC } from '@stageflow/plugin-stageflow-common';
import {
  OciLayoutRegistryClient,
  ReleaseServiceClient,
  pushImage,
} from '@stageflow/plugin-stageflow-node';
import {
  DEMO_REGISTRY_HOST,
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stageflowPlugin } from '../plugin';

jest.setTimeout(180_000);

function component(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'stageflow.io/flow': name === 'goldie' ? 'gitflow' : 'oneflow',
        'stageflow.io/image': `registry.acme.example/acme/${name}`,
        'stageflow.io/git-url': `https://git.acme.example/acme/${name}.git`,
      },
    },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

const john = 'user:default/john.doe';
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@acme.example',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@acme.example',
};

/**
 * The "done when", through the backend's routes and the client the
 * actions use, on the demo's repositories and OCI layout.
 */
describe('the branch lifecycle through the release routes', () => {
  let dir: string;
  let gitDir: string;
  let ociDir: string;
  let server: any;
  let client: ReleaseServiceClient;
  const events = mockServices.events.mock();
  const actor = () => ({ credentials: mockCredentials.user(john) });

  const bare = (app: string) => join(gitDir, 'acme', `${app}.git`);
  const git = (cwd: string, args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', env: GIT_ENV }).trim();
  const refs = (app: string) => git(bare(app), ['show-ref']);

  /** A developer's clone of a demo repository, to push commits with. */
  const work = (app: string) => {
    const path = mkdtempSync(join(dir, `${app}-work-`));
    git(dir, ['clone', '-q', bare(app), path]);
    return {
      commit(branch: string, file: string, content: string, message: string) {
        git(path, ['checkout', '-q', branch]);
        writeFileSync(join(path, file), content);
        git(path, ['add', file]);
        git(path, ['commit', '-q', '-m', message]);
        git(path, ['push', '-q', 'origin', branch]);
        return git(path, ['rev-parse', 'HEAD']);
      },
      branch(name: string, from: string) {
        git(path, ['checkout', '-q', '-b', name, from]);
      },
    };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-lifecycle-routes-'));
    const data = await generateDemoData(join(dir, 'demo'));
    gitDir = data.gitDir;
    ociDir = data.ociDir;
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        events.factory,
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
        mockServices.rootConfig.factory({
          data: { stageflow: demoStageflowConfig(data) },
        }),
        catalogServiceMock.factory({
          entities: [component('phippy'), component('goldie')],
        }),
      ],
    });
    server = backend.server;
    const port = (server.address() as AddressInfo).port;
    client = new ReleaseServiceClient({
      discovery: {
        getBaseUrl: async () => `http://localhost:${port}/api/stageflow`,
        getExternalBaseUrl: async () =>
          `http://localhost:${port}/api/stageflow`,
      },
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('releases Goldie (GitFlow, bump auto) by merging dev into main and tagging the merge 1.3.0, with notes', async () => {
    const pending = await request(server).get(
      '/api/stageflow/v1/entities/component/default/goldie/unreleased',
    );
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      branch: 'main',
      latestRelease: { tag: '1.2.1' },
      bump: 'minor',
      nextVersion: '1.3.0',
    });

    const before = refs('goldie');
    const preview = await client.tagRelease(
      {
        target: { entityRef: 'component:default/goldie' },
        bump: 'auto',
        dryRun: true,
      },
      actor(),
    );
    expect(preview).toMatchObject({ tag: '1.3.0', branch: 'main' });
    expect(preview.plan).toMatch(/^Would merge dev into main and tag 1\.3\.0/);
    expect(preview.notes).toMatch(/### Features\n\n- restore from a backup/);
    expect(refs('goldie')).toBe(before);

    const result = await client.tagRelease(
      { target: { entityRef: 'component:default/goldie' }, bump: 'auto' },
      { ...actor(), taskId: 'task-goldie' },
    );
    const main = git(bare('goldie'), ['rev-parse', 'main']);
    expect(result).toMatchObject({
      tag: '1.3.0',
      version: '1.3.0',
      sha: main,
      branch: 'main',
      baseTag: '1.2.1',
      merged: { from: 'dev', into: 'main', sha: main },
    });
    expect(git(bare('goldie'), ['rev-parse', '1.3.0^{commit}'])).toBe(main);
    expect(
      git(bare('goldie'), ['rev-list', '--parents', '-n', '1', 'main']),
    ).toContain(git(bare('goldie'), ['rev-parse', 'dev']));

    const releases = await request(server).get(
      '/api/stageflow/v1/entities/component/default/goldie/releases',
    );
    expect(releases.body.releases[0]).toMatchObject({ tag: '1.3.0' });
    expect(releases.body.releases[0].notes).toMatch(
      /### Features\n\n- restore from a backup \([0-9a-f]{7}\)/,
    );
    expect(events.publish).toHaveBeenCalledWith({
      topic: STAGEFLOW_EVENT_TOPIC,
      eventPayload: expect.objectContaining({
        entityRef: 'component:default/goldie',
        kind: 'release',
        version: '1.3.0',
        taskId: 'task-goldie',
      }),
    });
  });

  it('refuses a GitFlow release whose merge conflicts, naming the files, with nothing pushed', async () => {
    const clone = work('goldie');
    clone.commit('main', 'clash.txt', 'main\n', 'fix: clash on main');
    clone.commit('dev', 'clash.txt', 'dev\n', 'feat: clash on dev');
    const before = refs('goldie');
    for (const dryRun of [true, false]) {
      const res = await request(server)
        .post('/api/stageflow/v1/releases')
        .set('Authorization', mockCredentials.user.header(john))
        .send({
          target: { entityRef: 'component:default/goldie' },
          bump: 'auto',
          dryRun,
        });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        name: 'ConflictError',
        message:
          'Merging dev into main conflicts in clash.txt; nothing was pushed',
      });
    }
    expect(refs('goldie')).toBe(before);
  });

  it('hotfixes Phippy: a fix cherry-picked onto the latest release, tagged, promoted to prod and finished into develop', async () => {
    const candidates = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/hotfixes',
    );
    expect(candidates.status).toBe(200);
    expect(
      candidates.body.open.map((b: { branch: string }) => b.branch),
    ).toEqual(['hotfix/login-redirect']);
    const fix = candidates.body.candidates.find(
      (c: { subject: string }) => c.subject === 'fix: footer typo',
    );
    expect(fix).toBeDefined();

    const target = { entityRef: 'component:default/phippy' };
    const dry = await client.startHotfix(
      { target, name: 'footer', cherryPick: [fix.sha], dryRun: true },
      actor(),
    );
    expect(dry).toMatchObject({
      branch: 'hotfix/footer',
      fromTag: 'v1.3.0',
      cherryPicked: [fix.sha],
    });
    expect(git(bare('phippy'), ['branch', '--list', 'hotfix/footer'])).toBe('');

    const started = await client.startHotfix(
      { target, name: 'footer', cherryPick: [fix.sha] },
      actor(),
    );
    expect(started).toMatchObject({
      branch: 'hotfix/footer',
      fromTag: 'v1.3.0',
      nextVersion: '1.3.1',
      cherryPicked: [fix.sha],
    });
    expect(git(bare('phippy'), ['rev-parse', 'hotfix/footer'])).toBe(
      started.sha,
    );
    const open = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/hotfixes',
    );
    expect(open.body.open).toContainEqual({
      branch: 'hotfix/footer',
      sha: started.sha,
      fromTag: 'v1.3.0',
    });

    const tagged = await client.tagRelease(
      { target, ref: 'hotfix/footer', bump: 'patch' },
      actor(),
    );
    expect(tagged).toMatchObject({
      tag: 'v1.3.1',
      sha: started.sha,
      baseTag: 'v1.3.0',
    });
    expect(tagged.notes).toMatch(
      /^### Fixes\n\n- footer typo \([0-9a-f]{7}\)$/,
    );

    // CI builds the hotfix's candidate image, as for every commit.
    await pushImage(
      new OciLayoutRegistryClient({ host: DEMO_REGISTRY_HOST, path: ociDir }),
      {
        registry: DEMO_REGISTRY_HOST,
        repository: 'acme/phippy/release-candidate',
        tag: started.sha,
      },
      {
        layers: [Buffer.from(`phippy at ${started.sha}\n`)],
        labels: {
          'org.opencontainers.image.revision': started.sha,
          'org.opencontainers.image.version': 'v1.3.1',
        },
      },
    );
    const promoted = await client.promote(
      { target, stage: 'prod', version: '1.3.1' },
      actor(),
    );
    expect(promoted).toMatchObject({ stage: 'prod', version: '1.3.1' });

    const finished = await client.finishHotfix(
      { target, branch: 'hotfix/footer', deleteBranch: true },
      { ...actor(), taskId: 'task-finish' },
    );
    expect(finished).toMatchObject({
      entityRef: 'component:default/phippy',
      from: 'hotfix/footer',
      into: 'develop',
      outcome: 'merged',
      branchDeleted: true,
    });
    expect(
      git(bare('phippy'), ['merge-base', '--is-ancestor', 'v1.3.1', 'develop']),
    ).toBe('');
    expect(git(bare('phippy'), ['branch', '--list', 'hotfix/footer'])).toBe('');
    expect(events.publish).toHaveBeenCalledWith({
      topic: STAGEFLOW_EVENT_TOPIC,
      eventPayload: expect.objectContaining({
        entityRef: 'component:default/phippy',
        kind: 'hotfix',
        taskId: 'task-finish',
      }),
    });

    const releases = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/releases',
    );
    expect(releases.body.releases[0]).toMatchObject({
      tag: 'v1.3.1',
      notes: expect.stringMatching(/^### Fixes\n\n- footer typo/),
    });
    // Prod runs the fix now: it is no candidate any more.
    const after = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/hotfixes',
    );
    expect(
      after.body.candidates.map((c: { subject: string }) => c.subject),
    ).not.toContain('fix: footer typo');
  });

  it('refuses a conflicting cherry-pick and a conflicting finish, naming the files, with nothing pushed', async () => {
    const clone = work('phippy');
    clone.commit('develop', 'notes.txt', 'one\n', 'chore: add notes');
    const change = clone.commit(
      'develop',
      'notes.txt',
      'two\n',
      'fix: reword the notes',
    );
    clone.branch('hotfix/clash', 'v1.3.0');
    clone.commit('hotfix/clash', 'notes.txt', 'three\n', 'fix: other notes');
    const before = refs('phippy');
    const target = { entityRef: 'component:default/phippy' };

    for (const dryRun of [true, false]) {
      const res = await request(server)
        .post('/api/stageflow/v1/hotfixes')
        .set('Authorization', mockCredentials.user.header(john))
        .send({ target, name: 'notes', cherryPick: [change], dryRun });
      expect(res.status).toBe(409);
      expect(res.body.error.name).toBe('ConflictError');
      expect(res.body.error.message).toMatch(/conflict.* in notes\.txt/);
    }

    const dry = await client.finishHotfix(
      { target, branch: 'hotfix/clash', dryRun: true },
      actor(),
    );
    expect(dry).toMatchObject({
      into: 'develop',
      mergeable: false,
      conflicts: ['notes.txt'],
    });
    const res = await request(server)
      .post('/api/stageflow/v1/hotfixes/finish')
      .set('Authorization', mockCredentials.user.header(john))
      .send({ target, branch: 'hotfix/clash', deleteBranch: true });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      name: 'ConflictError',
      message:
        'Merging hotfix/clash into develop conflicts in notes.txt; nothing was pushed',
    });
    expect(refs('phippy')).toBe(before);
  });

  it.each([
    [{ target: { entityRef: 'component:default/phippy' } }, "'branch'"],
    [
      {
        target: { entityRef: 'component:default/phippy' },
        branch: 'develop',
      },
      'branch must be a hotfix branch of the oneflow flow',
    ],
    [
      {
        target: { entityRef: 'component:default/phippy' },
        branch: 'hotfix/a..b',
      },
      'branch must be a branch name',
    ],
  ])('refuses to finish %p with 400 naming the field', async (body, text) => {
    const res = await request(server)
      .post('/api/stageflow/v1/hotfixes/finish')
      .set('Authorization', mockCredentials.user.header(john))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toContain(text);
  });
});
