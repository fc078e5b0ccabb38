import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import catalogModuleStageflow from '@stageflow/plugin-catalog-backend-module-stageflow';
import stageflowPlugin from '@stageflow/plugin-stageflow-backend';
import { buildAppEntities } from '@stageflow/plugin-stageflow-common';
import request from 'supertest';

/**
 * Contributions from the PUT to the catalog, in one backend: the Stageflow
 * backend stores the set and announces it on the events service, the
 * catalog module ingests it. The test scheduler runs the module's poll only
 * once, at start-up, so what reaches the catalog afterwards came through
 * the event.
 */
jest.setTimeout(60_000);

describe('contributions reach the catalog on the event', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let stop: () => Promise<void>;
  const user = mockCredentials.user.header('user:default/guest');

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleStageflow,
        stageflowPlugin,
        // The platform's events service, as createBackend installs it; the
        // test default gives each plugin an events service of its own.
        eventsServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            // The guest writes both sets; devops also declares Systems and
            // Domains (the app shorthand's project, System and Domain).
            stageflow: {
              contributors: {
                devops: {
                  writers: { users: ['user:default/guest'] },
                  kinds: ['Component', 'Resource', 'System', 'Domain'],
                },
                'license-portal': {
                  writers: { users: ['user:default/guest'] },
                },
              },
            },
            catalog: {
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'Domain',
                    'Group',
                    'User',
                    'Resource',
                  ],
                },
              ],
            },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(() => stop?.());

  const zeus = buildAppEntities({
    appId: 'zeus',
    appType: 'ap',
    stages: ['dev', 'int', 'prd'],
    owner: 'group:default/team-a',
    project: 'zeus',
    system: 'azure-devops',
    domain: 'azure',
  });

  async function entity(name: string) {
    return request(server)
      .get(`/api/catalog/entities/by-name/component/default/${name}`)
      .set('Authorization', mockCredentials.service.header());
  }

  async function waitFor<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
  ): Promise<{ value: T; ms: number }> {
    const started = Date.now();
    for (;;) {
      const value = await read();
      if (done(value)) {
        return { value, ms: Date.now() - started };
      }
      if (Date.now() - started > 20_000) {
        throw new Error('not in the catalog within 20 s');
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }

  it('ingests a set with its relations, then drops what the next set leaves out', async () => {
    await request(server)
      .put('/api/stageflow/v1/contributions/devops')
      .set('Authorization', user)
      .send({ entities: zeus })
      .expect(200);

    const { value: dev, ms } = await waitFor(
      () => entity('ap-zeus-dev'),
      res =>
        res.status === 200 &&
        (res.body.relations ?? []).some((r: any) => r.type === 'dependsOn'),
    );
    expect(dev.body.metadata.annotations).toMatchObject({
      'stageflow.io/contributor': 'devops',
      'backstage.io/managed-by-location': 'stageflow-contributor:devops',
    });
    expect(dev.body.relations).toEqual(
      expect.arrayContaining([
        {
          type: 'dependsOn',
          targetRef: expect.stringMatching(/^component:default\//),
        },
      ]),
    );
    // Recorded for the note; the assertion is only that it came at all.
    // eslint-disable-next-line no-console
    console.log(`contributions: in the catalog ${ms} ms after the PUT`);
    expect((await entity('ap-zeus-int')).status).toBe(200);

    await request(server)
      .put('/api/stageflow/v1/contributions/devops')
      .set('Authorization', user)
      .send({
        entities: zeus.filter(e => e.metadata.name !== 'ap-zeus-int'),
      })
      .expect(200);
    await waitFor(
      () => entity('ap-zeus-int'),
      res => res.status === 404,
    );
    expect((await entity('ap-zeus-dev')).status).toBe(200);
  });

  it('ingests nothing of a set that is refused', async () => {
    const bad = buildAppEntities({
      appId: 'hermes',
      appType: 'ap',
      stages: ['dev'],
      owner: 'group:default/team-a',
      project: 'hermes',
    }).map(e => ({
      ...e,
      metadata: { ...e.metadata, name: `9${e.metadata.name}` },
    }));
    const res = await request(server)
      .put('/api/stageflow/v1/contributions/license-portal')
      .set('Authorization', user)
      .send({ entities: bad });
    expect(res.status).toBe(400);
    const list = await request(server)
      .get('/api/stageflow/v1/contributions')
      .set('Authorization', user)
      .expect(200);
    expect(list.body.contributors.map((c: any) => c.contributor)).toEqual([
      'devops',
    ]);
  });
});
