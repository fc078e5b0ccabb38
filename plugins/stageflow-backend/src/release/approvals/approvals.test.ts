import {
  SchedulerService,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  DistributionRegistryClient,
  OciLayoutRegistryClient,
  PROMOTION_RECEIPT_ARTIFACT_TYPE,
  copyImageBetween,
  readPromotionReceipts,
  referrersTagOf,
} from '@stageflow/plugin-stageflow-node';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import {
  TestRegistry,
  startTestRegistry,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Knex } from 'knex';
import request from 'supertest';
import { stageflowPlugin } from '../../plugin';
import { PROMOTION_REQUESTS_SWEEP_TASK } from './PromotionApprovalsService';

jest.setTimeout(180_000);

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const bjoern = 'user:default/bjoern.dieding';
const guest = 'user:default/guest';
const john = 'user:default/john.doe';
const groups: Record<string, string[]> = {
  [bjoern]: ['group:default/team-b'],
  [guest]: ['group:default/team-a', 'group:default/team-b'],
  [john]: ['group:default/team-a'],
};

/** GitFlow with a protected prd (one approval of the owner) and a frozen int. */
const protectedGitflow = {
  tagPattern: '{version}',
  branches: { release: 'main', develop: 'dev', hotfix: 'hotfix/{name}' },
  candidateImage: '{image}:sha-{sha}',
  stages: [
    {
      name: 'dev',
      image: '{image}:dev',
      promoteTo: ['{image}:dev'],
      branch: 'dev',
    },
    {
      name: 'int',
      image: '{image}:int',
      promoteTo: ['{image}:int'],
      branch: 'main',
      // Opens every minute for two minutes: always open.
      freeze: [{ name: 'always', cron: '* * * * *', duration: 'PT2M' }],
    },
    {
      name: 'prd',
      image: '{image}:prd',
      promoteTo: ['{image}:prd', '{image}:{version}'],
      approval: { required: 1, from: 'owner' },
    },
  ],
};

describe.each(databases.eachSupportedId())('approvals on %s', databaseId => {
  let dir: string;
  let registry: TestRegistry;
  let server: any;
  let client: DistributionRegistryClient;
  let knex: Knex;
  let scheduler: SchedulerService;
  const notified: NotificationSendOptions[] = [];
  const goldieRef = 'component:default/goldie';
  const paths = '/api/stageflow/v1/entities/component/default/goldie';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-approvals-'));
    const data = await generateDemoData(join(dir, 'demo'));
    registry = await startTestRegistry('none');
    client = new DistributionRegistryClient({
      host: registry.host,
      url: registry.url,
    });
    // Goldie's images, as its CI publishes them, in a real docker-registry.
    const layout = new OciLayoutRegistryClient({
      host: 'registry.acme.example',
      path: data.ociDir,
    });
    for (const tag of await layout.listTags('acme/goldie')) {
      await copyImageBetween(
        {
          client: layout,
          ref: {
            registry: 'registry.acme.example',
            repository: 'acme/goldie',
            tag,
          },
        },
        {
          client,
          refs: [{ registry: registry.host, repository: 'acme/goldie', tag }],
        },
      );
    }
    const goldie: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'goldie',
        annotations: {
          'stageflow.io/flow': 'gitflow',
          'stageflow.io/image': `${registry.host}/acme/goldie`,
          'stageflow.io/git-url': 'https://git.acme.example/acme/goldie.git',
        },
      },
      spec: { type: 'service', owner: 'team-b', lifecycle: 'production' },
    };
    knex = await databases.init(databaseId as TestDatabaseId);
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        // The plugin's own scheduler, to run its sweep when the test says.
        createBackendModule({
          pluginId: 'stageflow',
          moduleId: 'test-scheduler',
          register(reg) {
            reg.registerInit({
              deps: { s: coreServices.scheduler },
              async init({ s }) {
                scheduler = s;
              },
            });
          },
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            send: async (options: NotificationSendOptions) => {
              notified.push(options);
            },
          }),
        }),
        mockServices.database.factory({ knex }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
        createServiceFactory({
          service: coreServices.userInfo,
          deps: {},
          factory: () => ({
            getUserInfo: async (credentials: any) => {
              const ref = credentials.principal.userEntityRef as string;
              return {
                userEntityRef: ref,
                ownershipEntityRefs: [ref, ...(groups[ref] ?? [])],
              };
            },
          }),
        }),
        mockServices.rootConfig.factory({
          data: {
            stageflow: {
              ...demoStageflowConfig(data),
              registries: [{ host: registry.host, url: registry.url }],
              flows: { gitflow: protectedGitflow },
              approvals: { expireAfter: 'PT1H' },
            },
          },
        }),
        catalogServiceMock.factory({ entities: [goldie] }),
      ],
    });
    server = backend.server;
  });

  afterAll(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = (user: string) => mockCredentials.user.header(user);
  const stages = async () =>
    (
      await request(server)
        .get(`${paths}/stages`)
        .set('Authorization', as(bjoern))
    ).body.stages as { name: string; version?: string; digest?: string }[];

  it('waits for the owner, refuses the requester, runs on the other member, and leaves a receipt', async () => {
    const before = (await stages()).find(s => s.name === 'prd')!;
    expect(before.version).toBe('1.2.1');

    const promoted = await request(server)
      .post('/api/stageflow/v1/promotions')
      .set('Authorization', as(bjoern))
      .send({
        target: { entityRef: goldieRef },
        stage: 'prd',
        version: '1.2.1',
      });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({
      state: 'pending',
      requestId: expect.any(String),
      version: '1.2.1',
      tags: [],
    });
    const { requestId, digest } = promoted.body;
    // Nothing moved yet.
    expect((await stages()).find(s => s.name === 'prd')!.digest).toBe(
      before.digest,
    );

    const listed = await request(server)
      .get(`${paths}/promotions`)
      .set('Authorization', as(john));
    expect(listed.body.promotions).toEqual([
      expect.objectContaining({
        id: requestId,
        stage: 'prd',
        version: '1.2.1',
        digest,
        state: 'pending',
        requester: bjoern,
        approvals: [],
        createdAt: expect.any(String),
      }),
    ]);

    const own = await request(server)
      .post(`/api/stageflow/v1/promotions/${requestId}/approve`)
      .set('Authorization', as(bjoern))
      .send({});
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/another approver must approve/);

    const outsider = await request(server)
      .post(`/api/stageflow/v1/promotions/${requestId}/approve`)
      .set('Authorization', as(john))
      .send({});
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toMatch(/group:default\/team-b/);

    const approved = await request(server)
      .post(`/api/stageflow/v1/promotions/${requestId}/approve`)
      .set('Authorization', as(guest))
      .send({ comment: 'tested on int' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      id: requestId,
      state: 'done',
      approvals: [
        expect.objectContaining({
          by: guest,
          decision: 'approve',
          comment: 'tested on int',
        }),
      ],
    });

    const after = (await stages()).find(s => s.name === 'prd')!;
    expect(after).toMatchObject({ version: '1.2.1', digest });
    expect(after.digest).not.toBe(before.digest);

    // Decided once: a second approval finds it done.
    const again = await request(server)
      .post(`/api/stageflow/v1/promotions/${requestId}/approve`)
      .set('Authorization', as(guest))
      .send({});
    expect(again.status).toBe(409);

    const history = await request(server)
      .get(`${paths}/history`)
      .set('Authorization', as(bjoern));
    expect(history.body.transitions).toContainEqual(
      expect.objectContaining({
        stage: 'prd',
        toDigest: digest,
        fromDigest: before.digest,
        actor: bjoern,
        approvers: [guest],
      }),
    );

    // The receipt travels with the image: an OCI artifact whose subject is
    // the promoted digest, listed under the sha256-<hex> tag (docker-registry
    // 2.8.2 has no referrers API).
    expect(await client.listReferrers('acme/goldie', digest)).toBeUndefined();
    const index = await client.getManifest({
      registry: registry.host,
      repository: 'acme/goldie',
      tag: referrersTagOf(digest),
    });
    const [entry] = index.manifest.manifests as any[];
    expect(entry.artifactType).toBe(PROMOTION_RECEIPT_ARTIFACT_TYPE);
    const artifact = await client.getManifest({
      registry: registry.host,
      repository: 'acme/goldie',
      digest: entry.digest,
    });
    expect(artifact.manifest).toMatchObject({
      artifactType: PROMOTION_RECEIPT_ARTIFACT_TYPE,
      subject: { digest },
    });
    const receipts = await readPromotionReceipts(client, 'acme/goldie', digest);
    expect(receipts).toEqual([
      expect.objectContaining({
        entityRef: goldieRef,
        stage: 'prd',
        version: '1.2.1',
        digest,
        fromDigest: before.digest,
        requester: bjoern,
        approvers: [guest],
        requestId,
      }),
    ]);
    // An independent reader: skopeo sees the artifact and its subject.
    const raw = JSON.parse(
      execFileSync(
        'skopeo',
        [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${registry.host}/acme/goldie@${entry.digest}`,
        ],
        { encoding: 'utf8' },
      ),
    );
    expect(raw.subject.digest).toBe(digest);
  });

  it('rolls back under the same approval, and a rejection runs nothing', async () => {
    const rollback = await request(server)
      .post('/api/stageflow/v1/promotions')
      .set('Authorization', as(guest))
      .send({
        target: { entityRef: goldieRef },
        stage: 'prd',
        version: '1.2.0',
        allowDowngrade: true,
        rollback: true,
      });
    expect(rollback.body).toMatchObject({ state: 'pending', version: '1.2.0' });
    const rejected = await request(server)
      .post(`/api/stageflow/v1/promotions/${rollback.body.requestId}/reject`)
      .set('Authorization', as(bjoern))
      .send({ comment: 'not now' });
    expect(rejected.body).toMatchObject({ state: 'rejected', rollback: true });
    expect((await stages()).find(s => s.name === 'prd')!.version).toBe('1.2.1');

    const again = await request(server)
      .post('/api/stageflow/v1/promotions')
      .set('Authorization', as(guest))
      .send({
        target: { entityRef: goldieRef },
        stage: 'prd',
        version: '1.2.0',
        allowDowngrade: true,
        rollback: true,
      });
    const done = await request(server)
      .post(`/api/stageflow/v1/promotions/${again.body.requestId}/approve`)
      .set('Authorization', as(bjoern))
      .send({});
    expect(done.body.state).toBe('done');
    expect((await stages()).find(s => s.name === 'prd')!.version).toBe('1.2.0');
  });

  it('refuses a promotion inside a freeze window, naming it', async () => {
    const res = await request(server)
      .post('/api/stageflow/v1/promotions')
      .set('Authorization', as(bjoern))
      .send({
        target: { entityRef: goldieRef },
        stage: 'int',
        version: '1.2.1',
      });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /Stage int is frozen: freeze window 'always'/,
    );
  });
  it('notifies approvers and requester, expires what waits too long, and runs what a dead replica approved', async () => {
    notified.length = 0;
    const promote = (user: string, body: object) =>
      request(server)
        .post('/api/stageflow/v1/promotions')
        .set('Authorization', as(user))
        .send({ target: { entityRef: goldieRef }, stage: 'prd', ...body });
    // prd runs 1.2.0 after the rollback above.
    const asked = await promote(bjoern, { version: '1.2.1' });
    expect(asked.body.state).toBe('pending');
    const { requestId, digest } = asked.body;
    expect(notified).toContainEqual({
      recipients: {
        type: 'entity',
        entityRef: ['group:default/team-b'],
        excludeEntityRef: bjoern,
      },
      payload: expect.objectContaining({
        title: 'Promotion of goldie 1.2.1 to prd waits for your approval',
        link: '/catalog/default/component/goldie/stageflow',
        topic: 'stageflow-promotion-requests',
      }),
    });
    const waiting = await promote(guest, {
      version: '1.1.0',
      allowDowngrade: true,
      rollback: true,
    });
    expect(waiting.body.state).toBe('pending');

    // The replica whose approval reached the quorum died before running
    // it, an hour ago; the other request waited past its time.
    await knex('stageflow_promotion_requests')
      .where({ id: requestId })
      .update({
        state: 'approved',
        decisions: JSON.stringify([
          { by: guest, decision: 'approve', at: new Date().toISOString() },
        ]),
        claimed_at: Date.now() - 60 * 60_000,
      });
    await knex('stageflow_promotion_requests')
      .where({ id: waiting.body.requestId })
      .update({ expires_at: Date.now() - 1000 });

    await scheduler.triggerTask(PROMOTION_REQUESTS_SWEEP_TASK);
    const stateOf = async (id: string) =>
      (await knex('stageflow_promotion_requests').where({ id }).first()).state;
    for (let i = 0; i < 300 && (await stateOf(requestId)) !== 'done'; i++) {
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    expect(await stateOf(requestId)).toBe('done');
    // Marked in the table, not only read as expired.
    expect(await stateOf(waiting.body.requestId)).toBe('expired');
    expect((await stages()).find(s => s.name === 'prd')).toMatchObject({
      version: '1.2.1',
      digest,
    });
    expect(notified).toContainEqual({
      recipients: {
        type: 'entity',
        entityRef: bjoern,
        excludeEntityRef: guest,
      },
      payload: expect.objectContaining({
        title: 'Your promotion of goldie 1.2.1 to prd was approved and ran',
      }),
    });
    expect(notified).toContainEqual({
      recipients: { type: 'entity', entityRef: guest },
      payload: expect.objectContaining({
        title:
          'Your promotion of goldie 1.1.0 to prd (roll back) expired without a decision',
      }),
    });

    // A second sweep finds nothing left to do.
    const runs = notified.length;
    await scheduler.triggerTask(PROMOTION_REQUESTS_SWEEP_TASK);
    await new Promise(resolve => setTimeout(resolve, 2000));
    expect(notified.length).toBe(runs);
  });
});
