import yaml from 'yaml';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { FLOW_PRESETS } from '@stageflow/plugin-stageflow-common';
import {
  DefaultGitService,
  DefaultRegistryService,
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StageflowActionDeps } from '../shared';

function component(name: string, flow: string): Entity {
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

/**
 * The actions' dependencies on freshly generated demo data: real git
 * repositories and a real OCI layout, through the production clients.
 */
export async function demoDeps(
  options: { permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-actions-'));
  const data = await generateDemoData(join(dir, 'demo'));
  const config = new ConfigReader({ stageflow: demoStageflowConfig(data) });
  const auditor = mockServices.auditor.mock();
  const deps: StageflowActionDeps = {
    git: DefaultGitService.fromConfig(config, {
      logger: mockServices.logger.mock(),
    }),
    registry: DefaultRegistryService.fromConfig(config),
    catalog: catalogServiceMock({
      entities: [
        component('phippy', 'oneflow'),
        component('goldie', 'gitflow'),
      ],
    }),
    permissions: mockServices.permissions({
      result: options.permission ?? AuthorizeResult.ALLOW,
    }),
    auditor,
    flows: { ...FLOW_PRESETS },
    defaultFlow: 'oneflow',
  };
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
  const layout = deps.registry.forHost('registry.acme.example');
  const digest = async (repository: string, tag: string) =>
    (
      await layout.resolve({
        registry: 'registry.acme.example',
        repository,
        tag,
      })
    )?.digest;
  return { deps, data, auditor, refs, sha, digest };
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
 * Runs one example of an action as a dry run on fresh demo data; returns
 * the step's action id, the outputs it gave and whether git was left as it
 * was.
 */
export async function runExampleAsDryRun(
  example: string,
  create: (deps: StageflowActionDeps) => {
    id: string;
    handler: (ctx: any) => Promise<void>;
  },
) {
  const { deps, refs } = await demoDeps();
  const before = refs('phippy');
  const action = create(deps);
  const step = yaml.parse(example).steps[0];
  const ctx = actionContext(step.input, { isDryRun: true });
  await action.handler(ctx);
  return {
    action: step.action as string,
    expected: action.id,
    outputs: (ctx.output as jest.Mock).mock.calls.length,
    unchanged: refs('phippy') === before,
  };
}
