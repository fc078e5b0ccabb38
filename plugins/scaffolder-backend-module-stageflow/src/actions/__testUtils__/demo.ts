import yaml from 'yaml';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  FLOW_PRESETS,
  FlowDefinition,
  StageflowChange,
} from '@stageflow/plugin-stageflow-common';
import {
  DefaultGitService,
  DefaultReleaseService,
  DefaultRegistryService,
  PromotionApprovals,
  ReleaseHistory,
  ReleaseService,
} from '@stageflow/plugin-stageflow-node';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function component(name: string, flow: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'stageflow.io/flow': flow,
        'stageflow.io/image': `registry.acme.example/acme/${name}`,
        'stageflow.io/git-url': `https://git.acme.example/acme/${name}.git`,
      },
    },
    spec: { type: 'service', owner: 'team-a' },
  };
}

/** The actions' dependency: the release service. */
export interface StageflowActionDeps {
  releaseService: ReleaseService;
}

/** A lock for one process: promotions of one key run one after the other. */
function processLock() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const before = tails.get(key) ?? Promise.resolve();
      const run = before.catch(() => undefined).then(fn);
      tails.set(key, run);
      return run;
    },
  };
}

/**
 * The release service on the given config (git hosts, registries) and
 * catalog, with the production clients; history and announcements are kept
 * for the test to read.
 */
export function createTestReleaseService(options: {
  config: ConfigReader;
  entities: Entity[];
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  flows?: Record<string, FlowDefinition>;
  claims?: Record<string, string>;
  approvals?: PromotionApprovals;
}) {
  const { config } = options;
  const auditor = mockServices.auditor.mock();
  const history: Parameters<ReleaseHistory['record']>[0][] = [];
  const announcements: StageflowChange[] = [];
  const registry = DefaultRegistryService.fromConfig(config);
  const releaseService = DefaultReleaseService.create({
    git: DefaultGitService.fromConfig(config, {
      logger: mockServices.logger.mock(),
    }),
    registry,
    catalog: catalogServiceMock({ entities: options.entities }),
    permissions: mockServices.permissions({
      result: options.permission ?? AuthorizeResult.ALLOW,
    }),
    auditor,
    auth: mockServices.auth(),
    // A real cache: the last known good state of the facts lives in it.
    cache: CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
      { logger: mockServices.logger.mock() },
    ).forPlugin('stageflow'),
    logger: mockServices.logger.mock(),
    config: {
      flows: options.flows ?? { ...FLOW_PRESETS },
      defaultFlow: 'oneflow',
      cacheTtlSeconds: 0,
      claims: options.claims ?? {},
    },
    history: {
      record: async change => {
        history.push(change);
      },
    },
    lock: processLock(),
    ...(options.approvals ? { approvals: options.approvals } : {}),
    announcer: {
      announce: async change => {
        announcements.push(change);
      },
    },
  });
  return { releaseService, registry, auditor, history, announcements };
}

/** The release service on freshly generated demo data. */
export async function demoDeps(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    flows?: Record<string, FlowDefinition>;
    entities?: Entity[];
    claims?: Record<string, string>;
    approvals?: PromotionApprovals;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-actions-'));
  const data = await generateDemoData(join(dir, 'demo'));
  const config = new ConfigReader({ stageflow: demoStageflowConfig(data) });
  const { releaseService, registry, auditor, history, announcements } =
    createTestReleaseService({
      ...options,
      config,
      entities: [
        component('phippy', 'oneflow'),
        component('goldie', 'gitflow'),
        ...(options.entities ?? []),
      ],
    });
  const deps: StageflowActionDeps = { releaseService };
  const refs = (app: string) =>
    execFileSync(
      'git',
      ['ls-remote', join(data.gitDir, 'acme', `${app}.git`)],
      {
        encoding: 'utf8',
      },
    );
  const sha = (app: string, ref: string) =>
    execFileSync('git', ['rev-parse', `${ref}^{commit}`], {
      cwd: join(data.gitDir, 'acme', `${app}.git`),
      encoding: 'utf8',
    }).trim();
  const layout = registry.forHost('registry.acme.example');
  const digest = async (repository: string, tag: string) =>
    (
      await layout.resolve({
        registry: 'registry.acme.example',
        repository,
        tag,
      })
    )?.digest;
  return { deps, data, auditor, history, announcements, refs, sha, digest };
}

/** A checkpoint store that remembers, as a retried task's does. */
export function rememberingCheckpoints() {
  const done = new Map<string, unknown>();
  return {
    done,
    async checkpoint<T>(opts: { key: string; fn: () => Promise<T> | T }) {
      if (done.has(opts.key)) {
        return done.get(opts.key) as T;
      }
      const value = await opts.fn();
      done.set(opts.key, value);
      return value;
    },
  };
}

/**
 * A mock action context; the test utility's factory ignores `isDryRun` and
 * `checkpoint`, so they are set on what it returns.
 */
export function actionContext<T extends Record<string, any>>(
  input: T,
  extra: { isDryRun?: boolean; checkpoint?: (opts: any) => Promise<any> } = {},
) {
  return {
    ...createMockActionContext({ input }),
    ...(extra.isDryRun ? { isDryRun: true } : {}),
    ...(extra.checkpoint ? { checkpoint: extra.checkpoint } : {}),
  } as ReturnType<typeof createMockActionContext<T>>;
}

/**
 * Runs one example of an action on fresh demo data, for real or as a dry
 * run; returns the step, the outputs it gave by name, and the demo data to
 * check what exists afterwards.
 */
export async function runExample(
  example: string,
  create: (deps: StageflowActionDeps) => {
    id: string;
    handler: (ctx: any) => Promise<void>;
  },
  options: { isDryRun?: boolean } = {},
) {
  const demo = await demoDeps();
  const action = create(demo.deps);
  const step = yaml.parse(example).steps[0];
  const ctx = actionContext(step.input, options);
  await action.handler(ctx);
  const outputs = Object.fromEntries(
    (ctx.output as jest.Mock).mock.calls.map(([name, value]) => [name, value]),
  );
  return { step, actionId: action.id, outputs, ...demo };
}
