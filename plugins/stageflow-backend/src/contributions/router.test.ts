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
import { ConfigReader } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { ContributionsStore } from './ContributionsStore';
import { ContributorAccess } from './ContributorAccess';
import { readContributorsConfig } from './readContributorsConfig';
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

// Who may write which set in these tests.
const contributors = readContributorsConfig(
  new ConfigReader({
    stageflow: {
      contributors: {
        devops: {
          writers: {
            users: ['user:default/devops-bot'],
            groups: ['group:default/devops'],
          },
          kinds: ['Component', 'Resource', 'System', 'Domain'],
          maxEntities: 5,
        },
        rancher: {
          writers: {
            users: ['user:default/devops-bot'],
            services: ['external:test-service'],
          },
          annotations: ['cluster'],
        },
        ldap: {
          writers: { services: ['ldap-sync'] },
          kinds: ['User', 'Group'],
        },
      },
    },
  }),
);

// An entity the catalog already has from one of its own locations.
const fromFile: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'phippy',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': 'file:/srv/examples/entities.yaml',
    },
  },
  spec: { type: 'website', lifecycle: 'production', owner: 'team-a' },
};

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
              auth: coreServices.auth,
              userInfo: coreServices.userInfo,
              catalog: catalogServiceRef,
            },
            async init({
              database,
              httpAuth,
              httpRouter,
              logger,
              permissions,
              auth,
              userInfo,
              catalog,
            }) {
              const store = await ContributionsStore.create({ database });
              httpRouter.use(
                await createContributionsRouter({
                  store,
                  httpAuth,
                  auditor,
                  logger,
                  access: new ContributorAccess({
                    contributors,
                    auth,
                    userInfo,
                    permissions,
                  }),
                  catalog,
                  auth,
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
          catalogServiceMock.factory({ entities: [fromFile] }),
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
        'You (user:default/devops-bot) may not write the set of contributor devops: permission stageflow.contribution.write is denied',
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
      const bad: Entity = structuredClone(phippy[1]);
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

    async function storedNames(server: any, contributor: string) {
      const read = await request(server)
        .get(`/api/stageflow/v1/contributions/${contributor}`)
        .set('Authorization', user)
        .expect(200);
      return read.body.entities.map((e: Entity) => e.metadata.name);
    }

    it('refuses writers the config does not name, and unconfigured contributors', async () => {
      const { server } = await start();
      const nobody = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/nobody'),
        )
        .send({ entities: phippy })
        .expect(403);
      expect(nobody.body.error.message).toBe(
        'You (user:default/nobody) may not write the set of contributor devops: stageflow.contributors.devops.writers names neither you nor a group of yours',
      );
      const service = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', mockCredentials.service.header())
        .send({ entities: [] })
        .expect(403);
      expect(service.body.error.message).toContain(
        'You (external:test-service) may not write',
      );
      const unknown = await request(server)
        .put('/api/stageflow/v1/contributions/license-portal')
        .set('Authorization', user)
        .send({ entities: [] })
        .expect(403);
      expect(unknown.body.error.message).toBe(
        'Contributor license-portal is not configured (stageflow.contributors.license-portal): nobody may write its set',
      );
      expect(await storedNames(server, 'devops')).toEqual([]);
    });

    it('refuses kinds and annotations the contributor may not write, naming them (issue 13, reproductions 1 and 2)', async () => {
      const { server } = await start();
      const me: Entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'devops-bot' },
        spec: { memberOf: ['team-a', 'team-b'] },
      };
      const kind = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entities: [phippy[0], me] })
        .expect(403);
      expect(kind.body.error.message).toBe(
        'Entities contributor devops may not write, nothing was stored:\nentities[1] (user:default/devops-bot) kind: contributor devops may not write kind User (it may write Component, Resource, System, Domain)',
      );
      const alias = structuredClone(phippy[1]);
      alias.metadata.annotations = {
        'stageflow.io/git-url': 'https://git.acme.example/acme/phippy.git',
        'stageflow.io/image': 'registry.acme.example/acme/phippy',
      };
      const annotations = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entities: [alias] })
        .expect(403);
      expect(annotations.body.error.message).toContain(
        'entities[0] (component:default/ap-phippy-prd) metadata.annotations.stageflow.io/git-url: contributor devops may not write git annotations (stageflow.contributors.devops.annotations does not list git)',
      );
      expect(annotations.body.error.message).toContain(
        'metadata.annotations.stageflow.io/image: contributor devops may not write image annotations',
      );
      expect(await storedNames(server, 'devops')).toEqual([]);
    });

    it('lets a service principal its config names write, and nobody else empty its set (issue 13, reproduction 4)', async () => {
      const { server } = await start();
      await request(server)
        .put('/api/stageflow/v1/contributions/rancher')
        .set('Authorization', mockCredentials.service.header())
        .send({ entities: [cluster] })
        .expect(200);
      await request(server)
        .put('/api/stageflow/v1/contributions/rancher')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/nobody'),
        )
        .send({ entities: [] })
        .expect(403);
      expect(await storedNames(server, 'rancher')).toEqual(['uuid-12345']);
    });

    it('refuses a set over its size limit before looking at it (issue 13, reproduction 4)', async () => {
      const { server } = await start();
      const res = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({ entities: Array.from({ length: 30_000 }, () => phippy[0]) })
        .expect(400);
      expect(res.body.error.message).toBe(
        'Invalid body: contributor devops may hold at most 5 entities (stageflow.contributors.devops.maxEntities), got 30000; nothing was stored',
      );
    });

    it('refuses, with 409 naming it, an entity another catalog location provides', async () => {
      const { server } = await start();
      const res = await request(server)
        .put('/api/stageflow/v1/contributions/devops')
        .set('Authorization', user)
        .send({
          entities: [...phippy, { ...fromFile, metadata: { name: 'phippy' } }],
        })
        .expect(409);
      expect(res.body.error.message).toBe(
        'Entities another catalog location already provides, nothing was stored: component:default/phippy (from a file location)',
      );
      expect(await storedNames(server, 'devops')).toEqual([]);
    });

    it('checks a set without storing it on dryRun=true', async () => {
      const { server, publish } = await start();
      await request(server)
        .put('/api/stageflow/v1/contributions/devops?dryRun=true')
        .set('Authorization', user)
        .send({ entities: phippy })
        .expect(200, {
          contributor: 'devops',
          entityRefs: [
            'component:default/ap-phippy-dev',
            'component:default/ap-phippy-prd',
          ],
          dryRun: true,
        });
      expect(publish).not.toHaveBeenCalled();
      expect(await storedNames(server, 'devops')).toEqual([]);
      await request(server)
        .put('/api/stageflow/v1/contributions/devops?dryRun=yes')
        .set('Authorization', user)
        .send({ entities: phippy })
        .expect(400);
    });
  },
);
