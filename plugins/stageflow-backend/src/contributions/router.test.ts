import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  buildAppEntities,
  buildClusterResource,
} from '@stageflow/plugin-stageflow-common';
import request from 'supertest';
import { ContributionsStore } from './ContributionsStore';
import { createContributionsRouter } from './router';

jest.setTimeout(60_000);

// The PostgreSQL that CI and the dev container run; set here so the test
// needs no extra environment. An explicit variable still wins.
process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const phippy = buildAppEntities({
  appId: 'phippy',
  appType: 'ap',
  stages: ['dev', 'prd'],
  owner: 'group:team-a',
  project: '3000',
  cluster: 'uuid-12345',
});
const cluster = buildClusterResource({
  name: 'uuid-12345',
  owner: 'group:devops',
});

describe.each(databases.eachSupportedId())(
  'contributions on %s',
  databaseId => {
    async function start(
      publish = jest.fn(async () => {}),
      permission:
        | AuthorizeResult.ALLOW
        | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
    ) {
      const audits: string[] = [];
      const auditor = {
        createEvent: async (event: { eventId: string; meta?: object }) => ({
          success: async () => {
            audits.push(`${event.eventId} ${JSON.stringify(event.meta)} ok`);
          },
          fail: async ({ error }: { error: Error }) => {
            audits.push(
              `${event.eventId} ${JSON.stringify(event.meta)} ${error.name}`,
            );
          },
        }),
      };
      const knex = await databases.init(databaseId as TestDatabaseId);
      const plugin = createBackendPlugin({
        pluginId: 'stageflow',
        register(env) {
          env.registerInit({
            deps: {
              database: coreServices.database,
              httpAuth: coreServices.httpAuth,
              httpRouter: coreServices.httpRouter,
              logger: coreServices.logger,
              permissions: coreServices.permissions,
            },
            async init({
              database,
              httpAuth,
              httpRouter,
              logger,
              permissions,
            }) {
              const store = await ContributionsStore.create({ database });
              httpRouter.use(
                await createContributionsRouter({
                  store,
                  httpAuth,
                  auditor,
                  logger,
                  permissions,
                  events: { publish },
                }),
              );
            },
          });
        },
      });
      const { server } = await startTestBackend({
        features: [
          plugin,
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({ result: permission }),
        ],
      });
      return { server, knex, publish, audits };
    }

    const user = mockCredentials.user.header('user:default/devops-bot');

    it('refuses a write the policy does not allow, storing nothing', async () => {
      const { server } = await start(undefined, AuthorizeResult.DENY);
      const res = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entities: phippy });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'You may not replace the entities of contributor devops (permission stageflow.contributions.write)',
      );
      const read = await request(server)
        .get('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .expect(200);
      expect(read.body.entities).toEqual([]);
    });

    it('replaces, reads and lists sets, stamping the contributor', async () => {
      const { server, publish } = await start();
      await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entities: phippy })
        .expect(200, {
          contributor: 'devops',
          entityRefs: [
            'component:default/ap-phippy-dev',
            'component:default/ap-phippy-prd',
          ],
        });
      expect(publish).toHaveBeenCalledWith({
        topic: 'stageflow.contributions',
        eventPayload: {
          contributor: 'devops',
          entityRefs: expect.any(Array),
        },
      });
      await request(server)
        .put('/api/stageflow/v1/contributions/rancher')
        .set('Authorization', mockCredentials.service.header())
        .send({ entities: [cluster] })
        .expect(200);

      const read = await request(server)
        .get('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .expect(200);
      expect(read.body.entities.map((e: Entity) => e.metadata.name)).toEqual([
        'ap-phippy-dev',
        'ap-phippy-prd',
      ]);
      expect(read.body.entities[0].metadata.annotations).toEqual({
        'stageflow.io/contributor': 'devops',
      });
      expect(Date.parse(read.body.updatedAt)).toBeGreaterThan(
        Date.now() - 60_000,
      );

      const list = await request(server)
        .get('/api/stageflow/v1/contributions')
        .set('Authorization', user)
        .expect(200);
      expect(list.body.contributors).toEqual([
        {
          contributor: 'devops',
          entityCount: 2,
          updatedAt: expect.any(String),
        },
        {
          contributor: 'rancher',
          entityCount: 1,
          updatedAt: expect.any(String),
        },
      ]);

      // A second PUT replaces: the dev instance is gone.
      await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entities: [phippy[1]] })
        .expect(200);
      const after = await request(server)
        .get('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .expect(200);
      expect(after.body.entities.map((e: Entity) => e.metadata.name)).toEqual([
        'ap-phippy-prd',
      ]);
    });

    it('refuses an invalid set field by field and stores nothing', async () => {
      const { server, knex, audits } = await start();
      const bad = structuredClone(phippy[1]);
      bad.metadata.name = 'app-phippy-prd';
      delete bad.spec!.owner;
      const res = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({
          entities: [
            phippy[0],
            bad,
            {
              ...cluster,
              metadata: {
                ...cluster.metadata,
                annotations: { 'stageflow.io/contributor': 'rancher' },
              },
            },
          ],
        })
        .expect(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain('nothing was stored');
      expect(res.body.error.message).toContain(
        "entities[1] spec.owner: /spec must have required property 'owner'",
      );
      expect(res.body.error.message).toContain(
        'entities[2] metadata.annotations.stageflow.io/contributor: must be "devops" (the contributor in the path) or absent, got "rancher"',
      );
      const [{ n }] = await knex('stageflow_contributions').count({ n: '*' });
      expect(Number(n)).toBe(0);
      expect(audits).toEqual([
        'contributions-replace {"contributor":"devops"} InputError',
      ]);
    });

    it('refuses bad contributors and bodies', async () => {
      const { server } = await start();
      const res = await request(server)
        .put('/api/stageflow/v1/contributions/Lizenz_Portal')
        .set('Authorization', user)
        .send({ entities: [] })
        .expect(400);
      expect(res.body.error.message).toBe(
        'Invalid contributor: must be 1 to 63 characters of a-z, 0-9 and "-", got "Lizenz_Portal"',
      );
      await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entity: {} })
        .expect(400);
      await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', mockCredentials.none.header())
        .send({ entities: [] })
        .expect(401);
    });

    it('refuses an entity another contributor sends', async () => {
      const { server } = await start();
      await request(server)
        .put('/api/stageflow/v1/contributions/rancher')
        .set('Authorization', user)
        .send({ entities: [cluster] })
        .expect(200);
      const res = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entities: [...phippy, cluster] })
        .expect(409);
      expect(res.body.error.message).toContain(
        'resource:default/uuid-12345 (by rancher)',
      );
      await request(server)
        .get('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .expect(200, { contributor: 'devops', entities: [] });
    });
  },
);
