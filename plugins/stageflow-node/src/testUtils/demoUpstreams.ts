import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoData, DEMO_REGISTRY_HOST, generateDemoData } from '../demo';
import {
  DistributionRegistryClient,
  OciLayoutRegistryClient,
  copyImageBetween,
} from '../registry';
import {
  FakeGithubServer,
  startFakeGithubServer,
} from './git/fakeGithubServer';
import { TestRegistry, startTestRegistry } from './registry/registryServer';

/** The demo's Phippy served as production would: GitHub and a registry. */
export interface DemoUpstreams {
  data: DemoData;
  github: FakeGithubServer;
  githubHost: string;
  registry: TestRegistry;
  /** A client of the registry, to check what actions wrote. */
  registryClient: DistributionRegistryClient;
  /** Path of Phippy's bare repository, which the fake GitHub serves. */
  phippyRepository: string;
  /** `integrations` and `stageflow.registries` config for these servers. */
  config: Record<string, unknown>;
  /** Phippy's annotations on these servers. */
  phippyAnnotations: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Generates the demo data, serves Phippy's repository through a fake GitHub
 * and publishes its images to Debian's docker-registry (basic auth), as
 * its CI would.
 */
export async function startDemoUpstreams(
  options: {
    /** Where the registry sends its notifications (`notifications.endpoints`). */
    registryNotifications?: {
      url: string;
      headers?: Record<string, string[]>;
    };
  } = {},
): Promise<DemoUpstreams> {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-upstreams-'));
  const data = await generateDemoData(join(dir, 'demo'));
  const phippyRepository = join(data.gitDir, 'acme', 'phippy.git');
  const github = await startFakeGithubServer({
    repositories: { 'acme/phippy': phippyRepository },
    token: 'test-token',
  });
  const registry = await startTestRegistry('basic', {
    notifications: options.registryNotifications,
  });
  const layout = new OciLayoutRegistryClient({
    host: DEMO_REGISTRY_HOST,
    path: data.ociDir,
  });
  const registryClient = new DistributionRegistryClient({
    host: registry.host,
    url: registry.url,
    credentials: { username: registry.username, password: registry.password },
  });
  for (const repository of [
    'acme/phippy/release-candidate',
    'acme/phippy/develop',
    'acme/phippy/stable',
  ]) {
    for (const tag of await layout.listTags(repository)) {
      await copyImageBetween(
        {
          client: layout,
          ref: { registry: DEMO_REGISTRY_HOST, repository, tag },
        },
        {
          client: registryClient,
          refs: [{ registry: registry.host, repository, tag }],
        },
      );
    }
  }
  const githubHost = new URL(github.apiBaseUrl).host;
  return {
    data,
    github,
    githubHost,
    registry,
    registryClient,
    phippyRepository,
    config: {
      integrations: {
        github: [
          {
            host: githubHost,
            apiBaseUrl: github.apiBaseUrl,
            token: 'test-token',
          },
        ],
      },
      stageflow: {
        registries: [
          {
            host: registry.host,
            url: registry.url,
            username: registry.username,
            password: registry.password,
          },
        ],
      },
    },
    phippyAnnotations: {
      'stageflow.io/flow': 'oneflow',
      'stageflow.io/image': `${registry.host}/acme/phippy`,
      'github.com/project-slug': 'acme/phippy',
      'backstage.io/source-location': `url:http://${githubHost}/acme/phippy/tree/develop/`,
    },
    async stop() {
      await github.close();
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
