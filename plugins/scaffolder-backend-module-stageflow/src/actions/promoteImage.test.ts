import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { FLOW_PRESETS, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import {
  OciLayoutRegistryClient,
  PromotionRequestInput,
  pushImage,
} from '@stageflow/plugin-stageflow-node';
import { DEMO_REGISTRY_HOST } from '@stageflow/plugin-stageflow-node/demo';
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

  it('refuses an initiator without the permission, and audits the refusal with the user and task', async () => {
    const { deps, auditor } = await demoDeps({
      permission: AuthorizeResult.DENY,
    });
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({ entityRef: phippy, stage: 'prod' }),
      ),
    ).rejects.toThrow(/permission stageflow\.image\.promote is denied/);
    const event = await auditor.createEvent.mock.results[0].value;
    expect(event.fail).toHaveBeenCalledWith({
      error: expect.objectContaining({ name: 'NotAllowedError' }),
      meta: expect.objectContaining({
        actor: 'user:default/mock',
        taskId: 'mock-task-id',
        entityRef: phippy,
      }),
    });
    expect(event.success).not.toHaveBeenCalled();
  });

  it('audits a refused downgrade as a conflict, naming user, task and entity', async () => {
    const { deps, auditor } = await demoDeps();
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({ entityRef: phippy, stage: 'prod', version: '1.0.0' }),
      ),
    ).rejects.toThrow('Stage prod runs 1.2.1, newer than 1.0.0');
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'image-promote' }),
    );
    const event = await auditor.createEvent.mock.results[0].value;
    expect(event.fail).toHaveBeenCalledWith({
      error: expect.objectContaining({ name: 'ConflictError' }),
      meta: expect.objectContaining({
        actor: 'user:default/mock',
        taskId: 'mock-task-id',
        entityRef: phippy,
        target: phippy,
      }),
    });
  });

  it('reads what a stage runs as the card does: an image without a revision label is found by its digest', async () => {
    const { deps, data, digest, sha } = await demoDeps();
    // Prod runs v1.2.1's candidate, re-pushed without its revision label:
    // only the digest of the candidate image says which release it is.
    const layout = new OciLayoutRegistryClient({
      host: DEMO_REGISTRY_HOST,
      path: data.ociDir,
    });
    const image = {
      layers: [
        new TextEncoder().encode('phippy 1.2.1, rebuilt without labels'),
      ],
      labels: {},
    };
    const at = (repository: string, tag: string) => ({
      registry: DEMO_REGISTRY_HOST,
      repository: `acme/phippy/${repository}`,
      tag,
    });
    const candidate = await pushImage(
      layout,
      at('release-candidate', sha('phippy', 'v1.2.1')),
      image,
    );
    const unlabelled = (await pushImage(layout, at('stable', 'latest'), image))
      .digest;
    expect(candidate.digest).toBe(unlabelled);
    expect(await digest('acme/phippy/stable', 'latest')).toBe(unlabelled);
    await expect(
      createPromoteImageAction(deps).handler(
        actionContext({ entityRef: phippy, stage: 'prod', version: '1.1.0' }),
      ),
    ).rejects.toThrow('Stage prod runs 1.2.1, newer than 1.1.0');
  });

  it('outputs pending with the request id for a protected stage, and writes nothing', async () => {
    const requests: PromotionRequestInput[] = [];
    const gitflow = FLOW_PRESETS.gitflow;
    const { deps, digest } = await demoDeps({
      flows: {
        ...FLOW_PRESETS,
        gitflow: {
          ...gitflow,
          stages: gitflow.stages.map(s =>
            s.name === 'prd'
              ? { ...s, approval: { required: 1, from: 'owner' as const } }
              : s,
          ),
        },
      },
      approvals: {
        request: async input => {
          requests.push(input);
          return { requestId: 'request-1' };
        },
        isApprovedRun: () => false,
      },
    });
    const before = await digest('acme/goldie', 'prd');
    const ctx = actionContext({
      entityRef: 'component:default/goldie',
      stage: 'prd',
      version: '1.2.1',
    });
    await createPromoteImageAction(deps).handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('state', 'pending');
    expect(ctx.output).toHaveBeenCalledWith('requestId', 'request-1');
    expect(ctx.output).toHaveBeenCalledWith('tags', []);
    expect(requests).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/goldie',
        version: '1.2.1',
        previousDigest: before,
        request: expect.objectContaining({ stage: 'prd', version: '1.2.1' }),
      }),
    ]);
    expect(await digest('acme/goldie', 'prd')).toBe(before);
  });
});
