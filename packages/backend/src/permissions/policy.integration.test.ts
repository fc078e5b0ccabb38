import {
  PermissionsService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { ConfigReader } from '@backstage/config';
import { createTagReleaseAction } from '@stageflow/plugin-scaffolder-backend-module-stageflow';
import {
  stageflowEntityReadPermission,
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
  FLOW_PRESETS,
} from '@stageflow/plugin-stageflow-common';
import {
  DefaultGitService,
  DefaultRegistryService,
  DefaultReleaseService,
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import {
  authWithActors,
  userInfoFromCatalog,
} from '../__testUtils__/identities';
import { permissionModuleStageflowPolicy } from './module';

// Each tagging test generates the demo data first: seconds on a busy machine.
jest.setTimeout(60_000);

const examples = resolve(__dirname, '../../../../examples');

// Each tag test generates the demo data and runs a real task.
jest.setTimeout(60_000);

/**
 * The demo backend's permission set-up, for real: the permission backend
 * with Stageflow's policy, the catalog applying its IS_ENTITY_OWNER rule to
 * the example entities it ingested.
 */
describe('the owners-only policy in a running backend', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let stop: () => Promise<void>;
  // What a scaffolder action gets from this backend.
  let services: { permissions: PermissionsService; catalog: CatalogService };
  const capture = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-capture',
    register(reg) {
      reg.registerInit({
        deps: {
          permissions: coreServices.permissions,
          catalog: catalogServiceRef,
        },
        async init(deps) {
          services = deps;
        },
      });
    },
  });

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        permissionPlugin,
        permissionModuleStageflowPolicy,
        catalogPlugin,
        permissionsServiceFactory,
        permissionsRegistryServiceFactory,
        userInfoFromCatalog,
        authWithActors,
        capture,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Component', 'Group', 'User', 'System'] }],
              locations: ['org.yaml', 'entities.yaml'].map(file => ({
                type: 'file',
                target: resolve(examples, file),
              })),
            },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();

    // Wait until the catalog has processed the owners and memberships.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/user/default/bjoern.dieding')
        .set('Authorization', mockCredentials.service.header());
      const phippy = await request(server)
        .get('/api/catalog/entities/by-name/component/default/phippy')
        .set('Authorization', mockCredentials.service.header());
      const ready = (body: any, type: string) =>
        (body?.relations ?? []).some((r: any) => r.type === type);
      if (ready(res.body, 'memberOf') && ready(phippy.body, 'ownedBy')) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error('the catalog did not ingest the examples in 30 s');
      }
      await new Promise(r => setTimeout(r, 200));
    }
  }, 60_000);

  afterAll(() => stop?.());

  async function decide(user: string, permission: any, entityRef: string) {
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', mockCredentials.user.header(user))
      .send({ items: [{ id: '1', permission, resourceRef: entityRef }] });
    expect(res.status).toBe(200);
    return res.body.items[0].result as AuthorizeResult;
  }

  const john = 'user:default/john.doe'; // team-a, owns phippy
  const bjoern = 'user:default/bjoern.dieding'; // team-b, owns goldie
  const guest = 'user:default/guest'; // the demo's guest: both teams

  const cases: Array<[string, any, string, AuthorizeResult]> = [
    [john, stageflowReleaseCreatePermission, 'phippy', AuthorizeResult.ALLOW],
    [john, stageflowImagePromotePermission, 'phippy', AuthorizeResult.ALLOW],
    [bjoern, stageflowReleaseCreatePermission, 'phippy', AuthorizeResult.DENY],
    [bjoern, stageflowImagePromotePermission, 'phippy', AuthorizeResult.DENY],
    [bjoern, stageflowImagePromotePermission, 'goldie', AuthorizeResult.ALLOW],
    [john, stageflowReleaseCreatePermission, 'goldie', AuthorizeResult.DENY],
    [guest, stageflowReleaseCreatePermission, 'phippy', AuthorizeResult.ALLOW],
    [guest, stageflowImagePromotePermission, 'goldie', AuthorizeResult.ALLOW],
  ];
  it.each(
    cases.map(([user, permission, name, expected]) => ({
      user,
      permission,
      name,
      expected,
      title: `${user} asking ${permission.name} on ${name}`,
    })),
  )('$title: $expected', async ({ user, permission, name, expected }) => {
    const ref = stringifyEntityRef(
      parseEntityRef(name, { defaultKind: 'component' }),
    );
    expect(await decide(user, permission, ref)).toBe(expected);
  });

  it('lets any signed-in user read the stages', async () => {
    expect(
      await decide(
        bjoern,
        stageflowEntityReadPermission,
        'component:default/phippy',
      ),
    ).toBe(AuthorizeResult.ALLOW);
  });

  describe('stageflow:release:tag, run by', () => {
    async function tagPhippy(user: string) {
      const dir = mkdtempSync(join(tmpdir(), 'stageflow-policy-'));
      const data = await generateDemoData(join(dir, 'demo'));
      const config = new ConfigReader({
        stageflow: demoStageflowConfig(data),
      });
      const releaseService = DefaultReleaseService.create({
        ...services,
        git: DefaultGitService.fromConfig(config, {
          logger: mockServices.logger.mock(),
        }),
        registry: DefaultRegistryService.fromConfig(config),
        auditor: mockServices.auditor.mock(),
        auth: mockServices.auth(),
        cache: mockServices.cache.mock(),
        logger: mockServices.logger.mock(),
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
      const action = createTagReleaseAction({ releaseService });
      const tags = () =>
        execFileSync('git', ['tag', '--list'], {
          cwd: join(data.gitDir, 'acme', 'phippy.git'),
          encoding: 'utf8',
        });
      const before = tags();
      const ctx = {
        ...createMockActionContext({
          input: { entityRef: 'component:default/phippy', bump: 'patch' },
        }),
        getInitiatorCredentials: async () => mockCredentials.user(user),
      };
      const outcome = await action.handler(ctx as any).then(
        () => 'tagged',
        (error: Error) => error,
      );
      return { outcome, before, after: tags() };
    }

    it('a non-member: refused, and git is unchanged', async () => {
      const { outcome, before, after } = await tagPhippy(bjoern);
      expect(outcome).toMatchObject({
        name: 'NotAllowedError',
        message:
          'You are not allowed to do this on component:default/phippy: permission stageflow.release.create is denied (members of the owning group may)',
      });
      expect(after).toBe(before);
    });

    it('a member of the owning group: the tag is made', async () => {
      const { outcome, before, after } = await tagPhippy(john);
      expect(outcome).toBe('tagged');
      expect(after).not.toBe(before);
      expect(after).toContain('v1.3.1');
    });
  });
});
