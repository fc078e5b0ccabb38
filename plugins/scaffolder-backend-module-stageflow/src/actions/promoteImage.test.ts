import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { FLOW_PRESETS, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { createPromoteImageAction } from './promoteImage';
import {
  actionContext,
  demoDeps,
  rememberingCheckpoints,
} from './__testUtils__/demo';

jest.setTimeout(60_000);

const phippy = 'component:default/phippy';

describe('stageflow:image:promote', () => {
  it('points prod at the candidate image of a release, digest unchanged', async () => {
    const { deps, sha, digest, auditor } = await demoDeps();
    const candidate = await digest(
      'acme/phippy/release-candidate',
      sha('phippy', 'v1.3.0'),
    );
    const before = await digest('acme/phippy/stable', 'latest');
    const checkpoints = rememberingCheckpoints();
    const ctx = actionContext(
      { entityRef: phippy, stage: 'prod', version: '1.3.0' },
      { checkpoint: checkpoints.checkpoint },
    );
    await createPromoteImageAction(deps).handler(ctx);
    expect(await digest('acme/phippy/stable', 'latest')).toBe(candidate);
    expect(await digest('acme/phippy/stable', 'v1.3.0')).toBe(candidate);
    expect(ctx.output).toHaveBeenCalledWith('digest', candidate);
    expect(ctx.output).toHaveBeenCalledWith('previousDigest', before);
    expect(ctx.output).toHaveBeenCalledWith('tags', [
      'registry.acme.example/acme/phippy/stable:latest',
      'registry.acme.example/acme/phippy/stable:v1.3.0',
    ]);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'image-promote' }),
    );
  });

  it('refuses a downgrade unless allowed', async () => {
    const { deps, digest, sha } = await demoDeps();
    const before = await digest('acme/phippy/stable', 'latest');
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({ entityRef: phippy, stage: 'prod', version: '1.1.0' }),
      ),
    ).rejects.toThrow(
      'Stage prod runs 1.2.1, newer than 1.1.0: set allowDowngrade to go back',
    );
    expect(await digest('acme/phippy/stable', 'latest')).toBe(before);

    await createPromoteImageAction(deps).handler(
      actionContext({
        entityRef: phippy,
        stage: 'prod',
        version: '1.1.0',
        allowDowngrade: true,
      }),
    );
    expect(await digest('acme/phippy/stable', 'latest')).toBe(
      await digest('acme/phippy/release-candidate', sha('phippy', 'v1.1.0')),
    );
  });

  it('plans old digest -> new digest without acting in a dry run', async () => {
    const { deps, digest } = await demoDeps();
    const before = await digest('acme/phippy/stable', 'latest');
    const ctx = actionContext(
      { entityRef: phippy, stage: 'prod' },
      { isDryRun: true },
    );
    await createPromoteImageAction(deps).handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('version', '1.3.0');
    expect(ctx.output).toHaveBeenCalledWith('previousDigest', before);
    expect(await digest('acme/phippy/stable', 'latest')).toBe(before);
  });

  it.each([
    [
      { stage: 'qa' },
      "stage must be one of staging, prod (flow oneflow), got 'qa'",
    ],
    [{ stage: 'prod', version: '7.0.0' }, 'version 7.0.0 is not a release'],
  ])('refuses %p and changes nothing', async (bad, message) => {
    const { deps, digest } = await demoDeps();
    const before = await digest('acme/phippy/stable', 'latest');
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({ entityRef: phippy, ...bad } as any),
      ),
    ).rejects.toThrow(message);
    expect(await digest('acme/phippy/stable', 'latest')).toBe(before);
  });

  it('refuses a version whose candidate image is missing', async () => {
    const { deps } = await demoDeps({
      flows: {
        ...FLOW_PRESETS,
        oneflow: { ...ONEFLOW, candidateImage: '{image}/nightly:{sha}' },
      },
    });
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({ entityRef: phippy, stage: 'prod', version: '1.3.0' }),
      ),
    ).rejects.toThrow(
      /version 1\.3\.0 has no candidate image: registry\.acme\.example\/acme\/phippy\/nightly:[0-9a-f]{40} does not exist/,
    );
  });

  it('refuses an initiator without the permission', async () => {
    const { deps } = await demoDeps({ permission: AuthorizeResult.DENY });
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({ entityRef: phippy, stage: 'prod' }),
      ),
    ).rejects.toThrow(/permission stageflow\.image\.promote is denied/);
  });
});
