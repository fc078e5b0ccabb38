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
import { validateWithArgoCdCrds } from './__testUtils__/argoCdCrds';
import { ArgoCdExportTrust } from './argocd';
import { createExportRouter } from './router';

const trust: ArgoCdExportTrust = {
  gitHosts: ['git.acme.example'],
  clusterContributors: ['rancher'],
  identityContributors: [],
};

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

function collectText(
  response: any,
  callback: (error: Error | null, body: string) => void,
) {
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    body += chunk;
  });
  response.on('end', () => callback(null, body));
}

function documents(text: string): any[] {
  return parseAllDocuments(text).map(doc => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

describe('GET /v1/export/argocd', () => {
  async function start(extra: Entity[] = []) {
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
            httpRouter.use(
              await createExportRouter({ catalog, httpAuth, trust }),
            );
          },
        });
      },
    });
    const { server } = await startTestBackend({
      features: [
        plugin,
        catalogServiceMock.factory({ entities: [...entities, ...extra] }),
      ],
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

  // Reproduction 3 of issue 13: contributed text reached the export as
  // text, and a YAML 1.1 parser read a Secret out of it; contributed
  // clusters added destinations to another client's AppProject.
  it('keeps hostile contributed text and destinations out of the export, for YAML 1.1 and 1.2 parsers (issue 13, reproduction 3)', async () => {
    const contributed = {
      'backstage.io/managed-by-location': 'stageflow-contributor:devops',
    };
    const hostileProject: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: '5000',
        description:
          'x\r---\rapiVersion: v1\rkind: Secret\u2028kind: Secret\u0085kind: Secret',
        annotations: contributed,
      },
      spec: {
        type: 'project',
        lifecycle: 'production',
        owner:
          '\r---\rapiVersion: v1\rkind: Secret\rmetadata:\r  name: stolen\rstringData:\r  token: x',
      },
    };
    const attackerCluster: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'attacker',
        annotations: {
          ...contributed,
          'kubernetes.io/api-server': 'https://attacker.example:6443',
        },
      },
      spec: { type: 'kubernetes-cluster', owner: 'group:devops' },
    };
    const attackerInstance: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'ap-phippy-c7-prd',
        labels: { 'stageflow.io/stage': 'prd' },
        annotations: {
          ...contributed,
          'stageflow.io/git-url': 'https://attacker.example/evil.git',
        },
      },
      spec: {
        type: 'website',
        lifecycle: 'production',
        owner: 'group:team-a',
        dependsOn: ['component:default/3000', 'resource:default/attacker'],
      },
    };
    const server = await start([
      hostileProject,
      attackerCluster,
      attackerInstance,
    ]);
    const res = await request(server)
      .get('/api/stageflow/v1/export/argocd')
      .set('Authorization', user)
      .buffer(true)
      .parse(collectText)
      .expect(200);
    expect(res.body).not.toContain('attacker.example');
    expect(res.body).not.toMatch(/[\r\u0085\u2028\u2029]/);
    for (const version of ['1.1', '1.2'] as const) {
      const docs = parseAllDocuments(res.body, { version }).map(doc => {
        expect(doc.errors).toEqual([]);
        return doc.toJS();
      });
      expect(docs.map(d => `${d.kind} ${d.metadata.name}`)).toEqual([
        'AppProject 1000',
        'ApplicationSet 1000',
        'AppProject 3000',
        'ApplicationSet 3000',
        'AppProject 5000',
        'ApplicationSet 5000',
      ]);
      expect(validateWithArgoCdCrds(docs)).toEqual(docs.map(() => null));
      expect(docs[4].spec.roles).toEqual([]);
      expect(docs[4].spec.description).toBe(
        'x --- apiVersion: v1 kind: Secret kind: Secret kind: Secret',
      );
    }

    const json = await request(server)
      .get('/api/stageflow/v1/export/argocd?format=json')
      .set('Authorization', user)
      .expect(200);
    expect(json.body.leftOut).toEqual([
      {
        entityRef: 'component:default/ap-phippy-c7-prd',
        projectRef: 'component:default/3000',
        reason: 'repository-host',
        message:
          'its git repository is not an https or ssh URL on a git host configured for Stageflow',
      },
      {
        entityRef: 'component:default/5000',
        projectRef: 'component:default/5000',
        reason: 'owner-group',
        message:
          'the project owner is not a Group of the catalog identity source: no owner role',
      },
    ]);
    expect(json.body.documents).toHaveLength(6);
  });
});
