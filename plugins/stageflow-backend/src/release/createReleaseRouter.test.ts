import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  STAGEFLOW_EVENT_TOPIC,
  STAGEFLOW_SIGNAL_CHANNEL,
} from '@stageflow/plugin-stageflow-common';
import { ReleaseServiceClient } from '@stageflow/plugin-stageflow-node';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stageflowPlugin } from '../plugin';

jest.setTimeout(120_000);

function component(
  name: string,
  repo = name,
  extra: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'stageflow.io/flow': repo === 'goldie' ? 'gitflow' : 'oneflow',
        'stageflow.io/image': `registry.acme.example/acme/${repo}`,
        'stageflow.io/git-url': `https://git.acme.example/acme/${repo}.git`,
        ...extra,
      },
    },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

const john = 'user:default/john.doe';

describe('the release routes', () => {
  let dir: string;
  let gitDir: string;
  let server: any;
  let client: ReleaseServiceClient;
  const events = mockServices.events.mock();
  const signals = { publish: jest.fn(async () => {}) };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-release-routes-'));
    const data = await generateDemoData(join(dir, 'demo'));
    gitDir = data.gitDir;
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        events.factory,
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => signals,
        }),
        // The default cache TTL (60 s): writes must show without waiting.
        mockServices.rootConfig.factory({
          data: {
            stageflow: {
              ...demoStageflowConfig(data),
              claims: {
                'git.acme.example/acme/goldie': 'component:default/goldie',
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            component('phippy'),
            component('goldie'),
            // An alias: another entity naming Goldie's repository and image.
            component('goldie-alias', 'goldie'),
          ],
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

  const phippyTags = () =>
    execFileSync('git', ['tag', '--list'], {
      cwd: join(gitDir, 'acme', 'phippy.git'),
      encoding: 'utf8',
    });

  it('shows a release at once, and refuses to release its commit again', async () => {
    const before = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/releases',
    );
    expect(before.body.releases[0].tag).toBe('v1.3.0');

    const res = await request(server)
      .post('/api/stageflow/v1/releases')
      .set('Authorization', mockCredentials.user.header(john))
      .send({
        target: { entityRef: 'component:default/phippy' },
        bump: 'patch',
        taskId: 'task-1',
      });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/phippy',
      tag: 'v1.3.1',
      version: '1.3.1',
      branch: 'develop',
      dryRun: false,
    });
    expect(phippyTags()).toContain('v1.3.1');

    const after = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/releases',
    );
    expect(after.body.releases[0].tag).toBe('v1.3.1');
    expect(events.publish).toHaveBeenCalledWith({
      topic: STAGEFLOW_EVENT_TOPIC,
      eventPayload: {
        entityRef: 'component:default/phippy',
        kind: 'release',
        version: '1.3.1',
        actor: john,
        taskId: 'task-1',
      },
    });

    const tags = phippyTags();
    await expect(
      client.tagRelease(
        { target: { entityRef: 'component:default/phippy' }, bump: 'patch' },
        { credentials: mockCredentials.user(john) },
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/is already released as v1\.3\.1/),
    });
    expect(phippyTags()).toBe(tags);
  });

  it('shows a promotion at once, with the user and task in its history row', async () => {
    const stagesBefore = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/stages',
    );
    expect(stagesBefore.body.stages[1]).toMatchObject({
      name: 'prod',
      version: '1.2.1',
    });

    const result = await client.promote(
      {
        target: { image: 'registry.acme.example/acme/phippy' },
        stage: 'prod',
        version: '1.3.0',
      },
      { credentials: mockCredentials.user(john), taskId: 'task-2' },
    );
    expect(result).toMatchObject({
      entityRef: 'component:default/phippy',
      stage: 'prod',
      version: '1.3.0',
      previousVersion: '1.2.1',
      tags: [
        'registry.acme.example/acme/phippy/stable:latest',
        'registry.acme.example/acme/phippy/stable:v1.3.0',
      ],
    });

    const stagesAfter = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/stages',
    );
    expect(stagesAfter.body.stages[1]).toMatchObject({
      name: 'prod',
      version: '1.3.0',
      digest: result.digest,
    });
    const history = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/history',
    );
    expect(history.body.transitions[0]).toMatchObject({
      stage: 'prod',
      fromVersion: '1.2.1',
      toVersion: '1.3.0',
      fromDigest: result.previousDigest,
      toDigest: result.digest,
      actor: john,
      taskId: 'task-2',
    });
    expect(signals.publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: STAGEFLOW_SIGNAL_CHANNEL,
      message: {
        entityRef: 'component:default/phippy',
        kind: 'promotion',
        stage: 'prod',
        version: '1.3.0',
        actor: john,
        taskId: 'task-2',
      },
    });

    await expect(
      client.promote(
        {
          target: { entityRef: 'component:default/phippy' },
          stage: 'prod',
          version: '1.1.0',
        },
        { credentials: mockCredentials.user(john) },
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message:
        'Stage prod runs 1.3.0, newer than 1.1.0: set allowDowngrade to go back',
    });
  });

  it('acts only through the one entity that claims the target', async () => {
    // The image of Goldie is named by two entities and config says nothing.
    await expect(
      client.promote(
        { target: { entityRef: 'component:default/goldie' }, stage: 'prd' },
        { credentials: mockCredentials.user(john) },
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'claimed by 2 entities (component:default/goldie, component:default/goldie-alias)',
      ),
    });
    // The repository is Goldie's by config: the alias may not tag it...
    await expect(
      client.startHotfix(
        { target: { entityRef: 'component:default/goldie-alias' }, name: 'x' },
        { credentials: mockCredentials.user(john) },
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'belongs to component:default/goldie (stageflow.claims)',
      ),
    });
    // ...and a repoUrl resolves to its owner.
    const hotfix = await client.startHotfix(
      {
        target: { repoUrl: 'git.acme.example?owner=acme&repo=goldie' },
        name: 'x',
        dryRun: true,
      },
      { credentials: mockCredentials.user(john) },
    );
    expect(hotfix).toMatchObject({
      entityRef: 'component:default/goldie',
      branch: 'hotfix/x',
      dryRun: true,
    });
  });

  it.each([
    [{}, "Invalid body 'target': Required"],
    [
      { target: {} },
      "Invalid body 'target': give exactly one of entityRef, repoUrl, image",
    ],
    [
      { target: { entityRef: 'component:default/phippy' }, bump: 'huge' },
      "Invalid body 'bump': must be major, minor, patch or auto",
    ],
    [
      { target: { entityRef: 'component:default/phippy' }, extra: 1 },
      "Invalid body: Unrecognized key(s) in object: 'extra'",
    ],
  ])('refuses the body %p with 400 naming the field', async (body, message) => {
    const res = await request(server)
      .post('/api/stageflow/v1/releases')
      .set('Authorization', mockCredentials.user.header(john))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ name: 'InputError', message });
  });

  it('refuses a hotfix name git could not store, before git is asked', async () => {
    await expect(
      client.startHotfix(
        {
          target: { entityRef: 'component:default/phippy' },
          name: 'x'.repeat(300),
        },
        { credentials: mockCredentials.user(john) },
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /name gives the ref 'hotfix\/x+\.\.\.', 307 bytes long; git refs may be at most 255 bytes/,
      ),
    });
  });
});
