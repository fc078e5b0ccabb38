import { CacheManager } from '@backstage/backend-defaults/cache';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FLOW_PRESETS } from '@stageflow/plugin-stageflow-common';
import {
  DefaultGitService,
  DefaultReleaseService,
  OciLayoutRegistryClient,
} from '@stageflow/plugin-stageflow-node';
import {
  DEMO_REGISTRY_HOST,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SnapshotStore } from './SnapshotStore';
import { StageflowService } from './StageflowService';
import { snapshotAll } from './snapshots';

process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';

jest.setTimeout(60_000);

const phippy: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'phippy',
    annotations: {
      'stageflow.io/flow': 'oneflow',
      'stageflow.io/image': 'registry.acme.example/acme/phippy',
      'stageflow.io/git-url': 'https://git.acme.example/acme/phippy.git',
    },
  },
  spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
};

describe('snapshots', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-snapshots-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(databases.eachSupportedId())(
    'records transitions and serves history and DORA on %p',
    async databaseId => {
      // Each engine gets data of its own: the test promotes an image.
      const { gitDir, ociDir } = await generateDemoData(
        join(dir, `demo-${databaseId}`),
      );
      const knex = await databases.init(databaseId);
      const store = await SnapshotStore.create({
        getClient: async () => knex,
      });
      const layout = new OciLayoutRegistryClient({
        host: DEMO_REGISTRY_HOST,
        path: ociDir,
      });
      const git = DefaultGitService.fromConfig(
        new ConfigReader({
          stageflow: {
            git: {
              cacheDir: join(dir, `cache-${databaseId}`),
              hosts: [
                {
                  host: 'git.acme.example',
                  baseUrl: pathToFileURL(gitDir).href,
                },
              ],
            },
          },
        }),
        { logger: mockServices.logger.mock() },
      );
      const logger = mockServices.logger.mock();
      const catalog = catalogServiceMock({ entities: [phippy] });
      const release = DefaultReleaseService.create({
        catalog,
        permissions: mockServices.permissions(),
        auditor: mockServices.auditor.mock(),
        auth: mockServices.auth(),
        cache: CacheManager.fromConfig(
          new ConfigReader({ backend: { cache: { store: 'memory' } } }),
          { logger: mockServices.logger.mock() },
        ).forPlugin('stageflow'),
        git,
        registry: { forHost: () => layout },
        logger,
        config: {
          flows: { ...FLOW_PRESETS },
          defaultFlow: 'oneflow',
          cacheTtlSeconds: 0,
          claims: {},
        },
        history: { record: async () => {} },
        lock: { withLock: (_key, fn) => fn() },
        announcer: { announce: async () => {} },
      });
      const options = {
        catalog,
        auth: mockServices.auth(),
        resolver: release.resolver,
        facts: release.facts,
        store,
        flows: { ...FLOW_PRESETS },
        defaultFlow: 'oneflow',
        logger,
      };

      const first = await snapshotAll(options);
      expect(first).toEqual({ components: 1, transitions: 2, failed: 0 });
      const again = await snapshotAll(options);
      expect(again).toEqual({ components: 1, transitions: 0, failed: 0 });

      // Promote v1.3.0 to prod the way Oneflow does: re-tag its candidate.
      const v130 = (await git
        .getRepository({
          type: 'git',
          url: 'https://git.acme.example/acme/phippy.git',
        })
        .resolveCommit('v1.3.0'))!.sha;
      const candidate = {
        registry: DEMO_REGISTRY_HOST,
        repository: 'acme/phippy/release-candidate',
        tag: v130,
      };
      await layout.copy(candidate, [
        { ...candidate, repository: 'acme/phippy/stable', tag: 'latest' },
      ]);
      const promoted = await snapshotAll(options);
      expect(promoted.transitions).toBe(1);

      const service = new StageflowService({ ...options, release });
      const history = await service.history(
        'component:default/phippy',
        await mockServices.auth().getOwnServiceCredentials(),
      );
      expect(history.transitions[0]).toMatchObject({
        stage: 'prod',
        fromVersion: '1.2.1',
        toVersion: '1.3.0',
        revision: v130,
        status: 'ok',
      });
      // Seen by a snapshot, not made through Stageflow: nobody is named.
      expect(history.transitions[0].actor).toBeUndefined();
      expect(history.transitions).toHaveLength(3);
      expect(history.dora).toMatchObject({
        stage: 'prod',
        windowDays: 30,
        deployments: 2,
        hotfixShare: 0.2,
      });
      expect(history.dora.leadTimeHours).toBeGreaterThan(0);

      // A restarted backend (migrations run again) still has the history.
      const restarted = await SnapshotStore.create({
        getClient: async () => knex,
      });
      expect(
        await restarted.transitions('component:default/phippy'),
      ).toHaveLength(3);
    },
  );
});
