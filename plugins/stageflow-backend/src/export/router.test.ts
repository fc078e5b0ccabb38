import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { createExportRouter } from './router';

jest.setTimeout(60_000);

// The whole Acme inventory, as the demo app's catalog holds it.
const examples = path.resolve(__dirname, '../../../../examples');
const files = [
  path.join(examples, 'org.yaml'),
  path.join(examples, 'entities.yaml'),
  ...fs
    .readdirSync(path.join(examples, 'inventory'))
    .filter(file => file.endsWith('.yaml'))
    .map(file => path.join(examples, 'inventory', file)),
];
const entities = files.flatMap(file =>
  parseAllDocuments(fs.readFileSync(file, 'utf8')).map(
    doc => doc.toJS() as Entity,
  ),
);

function documents(text: string): any[] {
  return parseAllDocuments(text).map(doc => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

describe('GET /v1/export/argocd', () => {
  async function start() {
    const plugin = createBackendPlugin({
      pluginId: 'stageflow',
      register(env) {
        env.registerInit({
          deps: {
            httpAuth: coreServices.httpAuth,
            httpRouter: coreServices.httpRouter,
            catalog: catalogServiceRef,
          },
          async init({ httpAuth, httpRouter, catalog }) {
            httpRouter.use(await createExportRouter({ catalog, httpAuth }));
          },
        });
      },
    });
    const { server } = await startTestBackend({
      features: [plugin, catalogServiceMock.factory({ entities })],
    });
    return server;
  }

  const user = mockCredentials.user.header('user:default/john.doe');

  it("renders project 3000's AppProject and ApplicationSet from the inventory", async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/stageflow/v1/export/argocd?project=3000')
      .set('Authorization', user)
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', chunk => {
          text += chunk;
        });
        response.on('end', () => callback(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    const [appProject, applicationSet, ...rest] = documents(res.body);
    expect(rest).toEqual([]);

    expect(appProject).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: '3000', namespace: 'argocd' },
    });
    expect(appProject.spec.sourceRepos).toEqual([
      'https://git.acme.example/acme/phippy.git',
    ]);
    expect(appProject.spec.destinations).toEqual([
      {
        server: 'https://kubernetes.default.svc',
        namespace: 'ap-phippy-dev',
      },
      {
        server: 'https://kubernetes.default.svc',
        namespace: 'ap-phippy-int',
      },
      {
        server: 'https://prd.k8s.acme.example:6443',
        namespace: 'ap-phippy-prd',
      },
    ]);
    expect(
      appProject.spec.roles.map((r: any) => [r.name, r.groups, r.policies]),
    ).toEqual([
      [
        'client01',
        ['client01'],
        [
          'p, proj:3000:client01, applications, get, 3000/*, allow',
          'p, proj:3000:client01, applications, sync, 3000/*, allow',
        ],
      ],
      [
        'partner01',
        ['partner01'],
        [
          'p, proj:3000:partner01, applications, get, 3000/*, allow',
          'p, proj:3000:partner01, applications, sync, 3000/*, allow',
        ],
      ],
    ]);

    expect(applicationSet).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: '3000', namespace: 'argocd' },
      spec: {
        template: {
          metadata: { name: '{{name}}' },
          spec: {
            project: '3000',
            source: {
              repoURL: '{{repoURL}}',
              path: '{{path}}',
              targetRevision: '{{targetRevision}}',
            },
            destination: { server: '{{server}}', namespace: '{{namespace}}' },
          },
        },
      },
    });
    expect(
      applicationSet.spec.generators[0].list.elements.map(
        (e: any) => `${e.name} ${e.stage} ${e.server}`,
      ),
    ).toEqual([
      'ap-phippy-dev dev https://kubernetes.default.svc',
      'ap-phippy-int int https://kubernetes.default.svc',
      'ap-phippy-prd prd https://prd.k8s.acme.example:6443',
    ]);
  });

  it('renders every project without a filter', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/stageflow/v1/export/argocd')
      .set('Authorization', mockCredentials.service.header())
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.on('data', chunk => {
          text += chunk;
        });
        response.on('end', () => callback(null, text));
      })
      .expect(200);
    const docs = documents(res.body);
    expect(docs.map(d => `${d.kind} ${d.metadata.name}`)).toEqual([
      'AppProject 1000',
      'ApplicationSet 1000',
      'AppProject 3000',
      'ApplicationSet 3000',
    ]);
    expect(docs[0].spec.destinations.map((d: any) => d.namespace)).toEqual([
      'ps-goldie-c2-dev',
      'ps-goldie-c2-int',
      'ps-goldie-c1-prd',
    ]);
    expect(docs[0].spec.roles.map((r: any) => r.name)).toEqual(['team-b']);
    expect(docs[0].spec.sourceRepos).toEqual([
      'https://git.acme.example/acme/goldie.git',
    ]);
  });

  it('answers 404 for an unknown project and 400 for a malformed one', async () => {
    const server = await start();
    const unknown = await request(server)
      .get('/api/stageflow/v1/export/argocd?project=9999')
      .set('Authorization', user);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.name).toBe('NotFoundError');
    for (const query of [
      'project=bad%20name',
      'project=group:client01',
      'project=3000&project=1000',
    ]) {
      const bad = await request(server)
        .get(`/api/stageflow/v1/export/argocd?${query}`)
        .set('Authorization', user);
      expect([query, bad.status]).toEqual([query, 400]);
      expect(bad.body.error.message).toMatch(
        /^Invalid query parameter project: /,
      );
    }
  });

  it('refuses an unauthenticated caller', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/stageflow/v1/export/argocd')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });
});
