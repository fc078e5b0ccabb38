import { parseImageReference } from '@stageflow/plugin-stageflow-common';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_REGISTRY_HOST, generateDemoData } from '../demo';
import { OciLayoutRegistryClient } from '../registry';
import { executePromotion } from './executePromotion';
import { PromotionPlan } from './planPromotion';

jest.setTimeout(60_000);

describe('executePromotion', () => {
  it('writes only if the stage still runs the digest the plan saw', async () => {
    const data = await generateDemoData(
      join(mkdtempSync(join(tmpdir(), 'stageflow-execute-')), 'demo'),
    );
    const layout = new OciLayoutRegistryClient({
      host: DEMO_REGISTRY_HOST,
      path: data.ociDir,
    });
    const registry = { forHost: () => layout };
    const ref = (repository: string, tag: string) =>
      parseImageReference(
        `${DEMO_REGISTRY_HOST}/acme/phippy/${repository}:${tag}`,
      );
    const stable = ref('stable', 'latest');
    const develop = ref('develop', 'latest');
    const before = (await layout.resolve(stable))!.digest;
    const candidate = (await layout.resolve(develop))!.digest;
    const plan: PromotionPlan = {
      stage: 'prod',
      version: '1.4.0',
      tag: 'v1.4.0',
      sha: 'a'.repeat(40),
      current: stable,
      source: develop,
      targets: [stable],
      digest: candidate,
      previousDigest: before,
    };

    // Someone else moved prod after the plan was made.
    await layout.copy(ref('stable', 'v1.0.0'), [stable]);
    const moved = (await layout.resolve(stable))!.digest;
    await expect(executePromotion(registry, plan)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        `now runs ${moved}, the plan saw ${before}`,
      ),
    });
    expect((await layout.resolve(stable))!.digest).toBe(moved);

    // On an unchanged stage the write happens.
    const fresh = { ...plan, previousDigest: moved };
    expect(await executePromotion(registry, fresh)).toEqual({
      digest: candidate,
      tags: [`${DEMO_REGISTRY_HOST}/acme/phippy/stable:latest`],
    });
    expect((await layout.resolve(stable))!.digest).toBe(candidate);
  });
});
