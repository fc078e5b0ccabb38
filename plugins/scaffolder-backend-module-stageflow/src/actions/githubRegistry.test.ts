import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { FLOW_PRESETS } from '@stageflow/plugin-stageflow-common';
import {
  DEMO_REGISTRY_HOST,
  DefaultGitService,
  DefaultRegistryService,
  DistributionRegistryClient,
  OciLayoutRegistryClient,
  copyImageBetween,
  generateDemoData,
} from '@stageflow/plugin-stageflow-node';
import {
  FakeGithubServer,
  TestRegistry,
  startFakeGithubServer,
  startTestRegistry,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPromoteImageAction } from './promoteImage';
import { StageflowActionDeps } from './shared';
import { createStartHotfixAction } from './startHotfix';
import { createTagReleaseAction } from './tagRelease';
import { actionContext } from './__testUtils__/demo';

jest.setTimeout(90_000);

// The same actions through the GitHub API (a fake over a real bare
// repository) and a real docker-registry with basic auth.
describe('actions on GitHub and a distribution registry', () => {
  let dir: string;
  let github: FakeGithubServer;
  let registry: TestRegistry;
  let deps: StageflowActionDeps;
  let bare: string;
  let target: DistributionRegistryClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stageflow-actions-gh-'));
    const data = await generateDemoData(join(dir, 'demo'));
    bare = join(data.gitDir, 'acme', 'phippy.git');
    github = await startFakeGithubServer({
      repositories: { 'acme/phippy': bare },
      token: 'test-token',
    });
    registry = await startTestRegistry('basic');
    const layout = new OciLayoutRegistryClient({
      host: DEMO_REGISTRY_HOST,
      path: data.ociDir,
    });
    target = new DistributionRegistryClient({
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
            client: target,
            refs: [{ registry: registry.host, repository, tag }],
          },
        );
      }
    }
    const githubHost = new URL(github.apiBaseUrl).host;
    const config = new ConfigReader({
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
    });
    deps = {
      git: DefaultGitService.fromConfig(config, {
        logger: mockServices.logger.mock(),
      }),
      registry: DefaultRegistryService.fromConfig(config),
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'phippy',
              annotations: {
                'stageflow.io/flow': 'oneflow',
                'stageflow.io/image': `${registry.host}/acme/phippy`,
                'github.com/project-slug': 'acme/phippy',
                'backstage.io/source-location': `url:http://${githubHost}/acme/phippy`,
              },
            },
            spec: { type: 'website', owner: 'team-a' },
          },
        ],
      }),
      permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
      auditor: mockServices.auditor.mock(),
      flows: { ...FLOW_PRESETS },
      defaultFlow: 'oneflow',
    };
  });

  afterAll(async () => {
    await github?.close();
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: bare, encoding: 'utf8' }).trim();
  const digestOf = async (repository: string, tag: string) =>
    (await target.resolve({ registry: registry.host, repository, tag }))
      ?.digest;

  it('tags a release through the API and promotes its candidate in the registry', async () => {
    const tag = actionContext({
      entityRef: 'component:default/phippy',
      bump: 'minor' as const,
      promote: true,
    });
    await createTagReleaseAction(deps).handler(tag);
    expect(tag.output).toHaveBeenCalledWith('tag', 'v1.4.0');
    // An annotated tag object in the real repository, on develop's head.
    expect(git('cat-file', '-t', 'v1.4.0')).toBe('tag');
    expect(git('rev-parse', 'v1.4.0^{commit}')).toBe(
      git('rev-parse', 'develop'),
    );
    const candidate = await digestOf(
      'acme/phippy/release-candidate',
      git('rev-parse', 'develop'),
    );
    expect(await digestOf('acme/phippy/stable', 'latest')).toBe(candidate);
    expect(await digestOf('acme/phippy/stable', 'v1.4.0')).toBe(candidate);

    // Back to 1.3.0 is a downgrade, refused with nothing written.
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({
          entityRef: 'component:default/phippy',
          stage: 'prod',
          version: '1.3.0',
        }),
      ),
    ).rejects.toThrow('Stage prod runs 1.4.0, newer than 1.3.0');
    expect(await digestOf('acme/phippy/stable', 'latest')).toBe(candidate);
  });

  it('starts a hotfix branch through the API', async () => {
    const ctx = actionContext({
      entityRef: 'component:default/phippy',
      name: 'payment',
      fromVersion: '1.3.0',
    });
    await createStartHotfixAction(deps).handler(ctx);
    expect(git('rev-parse', 'hotfix/payment')).toBe(
      git('rev-parse', 'v1.3.0^{commit}'),
    );
  });
});
