import { ConfigReader } from '@backstage/config';
import {
  DemoUpstreams,
  startDemoUpstreams,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import { createPromoteImageAction } from './promoteImage';
import { createStartHotfixAction } from './startHotfix';
import { createTagReleaseAction } from './tagRelease';
import {
  StageflowActionDeps,
  actionContext,
  createTestReleaseService,
} from './__testUtils__/demo';

jest.setTimeout(90_000);

// The same actions through the GitHub API (a fake over a real bare
// repository) and a real docker-registry with basic auth.
describe('actions on GitHub and a distribution registry', () => {
  let upstreams: DemoUpstreams;
  let deps: StageflowActionDeps;

  beforeAll(async () => {
    upstreams = await startDemoUpstreams();
    const config = new ConfigReader(upstreams.config as any);
    deps = createTestReleaseService({
      config,
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'phippy',
            annotations: upstreams.phippyAnnotations,
          },
          spec: { type: 'website', owner: 'team-a' },
        },
      ],
    });
  });

  afterAll(() => upstreams?.stop());

  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: upstreams.phippyRepository,
      encoding: 'utf8',
    }).trim();
  const digestOf = async (repository: string, tag: string) =>
    (
      await upstreams.registryClient.resolve({
        registry: upstreams.registry.host,
        repository,
        tag,
      })
    )?.digest;

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
