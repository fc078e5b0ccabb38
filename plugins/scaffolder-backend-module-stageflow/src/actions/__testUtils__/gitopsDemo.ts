import { ConfigReader } from '@backstage/config';
import { readStageflowConfig } from '@stageflow/plugin-stageflow-node';
import {
  demoStageflowConfig,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node/demo';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { component, createTestReleaseService } from './demo';

/**
 * The release service on fresh demo data, Goldie on the demo's GitOps flow
 * (`gitflow-gitops`, pins in `acme/gitops`); `source` overrides every
 * stage's source (another repository, `via: pull-request`), `config` adds
 * root config (`integrations`).
 */
export async function gitopsDemoDeps(
  options: {
    source?: Record<string, unknown>;
    config?: Record<string, unknown>;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-gitops-'));
  const data = await generateDemoData(join(dir, 'demo'));
  const stageflow = demoStageflowConfig(data);
  const flow = stageflow.flows['gitflow-gitops'];
  const flows = {
    'gitflow-gitops': {
      ...flow,
      stages: flow.stages.map(stage => ({
        ...stage,
        source: { ...stage.source, ...options.source },
      })),
    },
  };
  const config = new ConfigReader({
    ...options.config,
    stageflow: { ...stageflow, flows },
  });
  const service = createTestReleaseService({
    config,
    entities: [
      component('goldie', 'gitflow-gitops'),
      component('phippy', 'oneflow'),
    ],
    flows: readStageflowConfig(config).flows,
  });
  const gitopsDir = join(data.gitDir, 'acme', 'gitops.git');
  const gitops = (...args: string[]) =>
    execFileSync('git', args, { cwd: gitopsDir, encoding: 'utf8' }).trim();
  const sha = (ref: string) =>
    execFileSync('git', ['rev-parse', `${ref}^{commit}`], {
      cwd: join(data.gitDir, 'acme', 'goldie.git'),
      encoding: 'utf8',
    }).trim();
  const layout = service.registry.forHost('registry.acme.example');
  const digest = async (tag: string) =>
    (
      await layout.resolve({
        registry: 'registry.acme.example',
        repository: 'acme/goldie',
        tag,
      })
    )?.digest;
  return { ...service, data, dir, gitopsDir, gitops, sha, digest };
}
