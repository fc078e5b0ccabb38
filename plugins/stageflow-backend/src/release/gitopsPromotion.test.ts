import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { ReleaseServiceClient } from '@stageflow/plugin-stageflow-node';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { stageflowPlugin } from '../plugin';
import { validateWithArgoCdCrds } from '../export/__testUtils__/argoCdCrds';

jest.setTimeout(120_000);

// The whole Acme inventory, as the demo app's catalog holds it: Goldie on
// the GitOps flow, its stage instances in project 1000.
const examples = join(__dirname, '../../../../examples');
const entities = [
  join(examples, 'org.yaml'),
  join(examples, 'entities.yaml'),
  ...readdirSync(join(examples, 'inventory'))
    .filter(file => file.endsWith('.yaml'))
    .map(file => join(examples, 'inventory', file)),
].flatMap(file =>
  parseAllDocuments(readFileSync(file, 'utf8')).map(
    doc => doc.toJS() as Entity,
  ),
);

const john = 'user:default/john.doe';
const STAGES = '/api/stageflow/v1/entities/component/default/goldie/stages';

describe('a GitOps promotion through the backend (the demo: Goldie in acme/gitops)', () => {
  let dir: string;
  let gitopsDir: string;
  let server: any;
  let client: ReleaseServiceClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-gitops-routes-'));
    const data = await generateDemoData(join(dir, 'demo'));
    gitopsDir = join(data.gitDir, 'acme', 'gitops.git');
    const backend = await startTestBackend({
      features: [
        stageflowPlugin,
        mockServices.events.mock().factory,
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
        // The default cache TTL (60 s): the new pin must show without waiting.
        mockServices.rootConfig.factory({
          data: { stageflow: demoStageflowConfig(data) },
        }),
        catalogServiceMock.factory({ entities }),
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

  const gitops = (...args: string[]) =>
    execFileSync('git', args, { cwd: gitopsDir, encoding: 'utf8' }).trim();

  it('shows prd on 1.2.1, ok, right after the pin is committed', async () => {
    const before = await request(server).get(STAGES);
    expect(before.status).toBe(200);
    expect(before.body.stages.map((s: any) => [s.name, s.status])).toEqual([
      ['dev', 'ok'],
      ['int', 'ok'],
      ['prd', 'drift'],
    ]);
    expect(before.body.stages[2]).toMatchObject({
      version: '1.2.1',
      pin: { path: 'envs/prd/goldie/values.yaml', branch: 'main' },
      message: expect.stringMatching(/rebuilt, not promoted/),
    });
    const head = gitops('rev-parse', 'main');
    const prdElement = async () => {
      const res = await request(server)
        .get('/api/stageflow/v1/export/argocd?project=1000')
        .set('Authorization', mockCredentials.user.header(john));
      expect(res.status).toBe(200);
      const sets = parseAllDocuments(res.text)
        .map(doc => doc.toJS())
        .filter(doc => doc.kind === 'ApplicationSet');
      return sets
        .flatMap(set => set.spec.generators[0].list.elements)
        .find((element: any) => element.name === 'ps-goldie-c1-prd');
    };
    // The export pins what prd runs, even while it drifts: the rebuild.
    expect(await prdElement()).toMatchObject({
      stage: 'prd',
      targetRevision: '1.2.1',
      version: '1.2.1',
      digest: before.body.stages[2].digest,
    });

    const result = await client.promote(
      {
        target: { entityRef: 'component:default/goldie' },
        stage: 'prd',
        version: '1.2.1',
      },
      { credentials: mockCredentials.user(john), taskId: 'task-gitops' },
    );
    expect(result).toMatchObject({
      stage: 'prd',
      version: '1.2.1',
      previousVersion: '1.2.1',
      commit: gitops('rev-parse', 'main'),
      diff: expect.stringContaining(`+  digest: ${result.digest}`),
    });
    expect(gitops('rev-parse', 'main^')).toBe(head);

    const after = await request(server).get(STAGES);
    expect(after.body.stages[2]).toMatchObject({
      name: 'prd',
      status: 'ok',
      version: '1.2.1',
      digest: result.digest,
      pin: { commit: result.commit },
    });
    expect(await prdElement()).toMatchObject({
      targetRevision: '1.2.1',
      version: '1.2.1',
      digest: result.digest,
    });
    // The pinned elements are still what Argo CD's CRD schemas accept.
    const json = await request(server)
      .get('/api/stageflow/v1/export/argocd?project=1000&format=json')
      .set('Authorization', mockCredentials.user.header(john));
    expect(json.body.documents.length).toBeGreaterThan(0);
    expect(validateWithArgoCdCrds(json.body.documents)).toEqual(
      json.body.documents.map(() => null),
    );
    const history = await request(server).get(
      '/api/stageflow/v1/entities/component/default/goldie/history',
    );
    expect(history.body.transitions[0]).toMatchObject({
      stage: 'prd',
      fromDigest: result.previousDigest,
      toDigest: result.digest,
      actor: john,
      taskId: 'task-gitops',
    });
  });
});
