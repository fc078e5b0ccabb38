import type { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { git, showRefs } from '@stageflow/plugin-stageflow-node/testUtils';
import { createFinishHotfixAction } from './finishHotfix';
import { lifecycleReleases } from './__testUtils__/lifecycleReleases';

jest.setTimeout(60_000);

function context(
  input: JsonObject,
  extra: { isDryRun?: boolean; checkpoint?: (opts: any) => Promise<any> } = {},
) {
  return {
    ...createMockActionContext({ input }),
    ...extra,
  } as ReturnType<typeof createMockActionContext<any>>;
}

function rememberingCheckpoints() {
  const done = new Map<string, unknown>();
  return async (opts: { key: string; fn: () => Promise<unknown> }) => {
    if (!done.has(opts.key)) {
      done.set(opts.key, await opts.fn());
    }
    return done.get(opts.key);
  };
}

describe('stageflow:hotfix:finish', () => {
  it('merges the hotfix into develop, deletes the branch and does not act twice when retried', async () => {
    const { fixture, releases, calls, cleanup } = await lifecycleReleases();
    try {
      const action = createFinishHotfixAction({ releases });
      const checkpoint = rememberingCheckpoints();
      const input = {
        entityRef: 'component:default/phippy',
        branch: 'hotfix/login',
        deleteBranch: true,
      };
      const ctx = context(input, { checkpoint });
      await action.handler(ctx);
      const develop = await git(fixture.path, ['rev-parse', 'develop']);
      expect(ctx.output).toHaveBeenCalledWith('outcome', 'merged');
      expect(ctx.output).toHaveBeenCalledWith('from', 'hotfix/login');
      expect(ctx.output).toHaveBeenCalledWith('into', 'develop');
      expect(ctx.output).toHaveBeenCalledWith('sha', develop);
      expect(ctx.output).toHaveBeenCalledWith('branchDeleted', true);
      expect(ctx.output).toHaveBeenCalledWith('mergeable', true);
      expect(
        await git(fixture.path, ['rev-list', '--parents', '-n', '1', develop]),
      ).toBe(`${develop} ${fixture.shas.appLine} ${fixture.shas.login}`);
      expect(calls[0].request).toEqual({
        target: { entityRef: 'component:default/phippy' },
        branch: 'hotfix/login',
        deleteBranch: true,
      });
      expect(calls[0].actor.taskId).toBe(ctx.task.id);

      const refs = await showRefs(fixture.path);
      await action.handler(context(input, { checkpoint }));
      expect(calls).toHaveLength(1);
      expect(await showRefs(fixture.path)).toBe(refs);
    } finally {
      await cleanup();
    }
  });

  it('dry run: outputs what would merge and the conflict, pushing nothing', async () => {
    const { fixture, releases, calls, cleanup } = await lifecycleReleases();
    try {
      const before = await showRefs(fixture.path);
      const ctx = context(
        {
          repoUrl: 'git.acme.example?owner=acme&repo=phippy',
          branch: 'hotfix/conflict',
        },
        { isDryRun: true },
      );
      await createFinishHotfixAction({ releases }).handler(ctx);
      expect(calls[0].request.dryRun).toBe(true);
      expect(ctx.output).toHaveBeenCalledWith('mergeable', false);
      expect(ctx.output).toHaveBeenCalledWith(
        'plan',
        'Dry run: finishing hotfix/conflict: would merge hotfix/conflict into develop, which conflicts in app.txt',
      );
      expect(ctx.output).toHaveBeenCalledWith('branchDeleted', false);
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it('fails a conflicting merge naming the files, with nothing pushed', async () => {
    const { fixture, releases, cleanup } = await lifecycleReleases();
    try {
      const before = await showRefs(fixture.path);
      await expect(
        createFinishHotfixAction({ releases }).handler(
          context({
            entityRef: 'component:default/phippy',
            branch: 'hotfix/conflict',
            deleteBranch: true,
          }),
        ),
      ).rejects.toThrow(
        'Merging hotfix/conflict into develop conflicts in app.txt; nothing was pushed',
      );
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it.each([
    [{ branch: 'hotfix/login' }, 'give exactly one of entityRef, repoUrl'],
    [
      {
        entityRef: 'component:default/phippy',
        repoUrl: 'git.acme.example?owner=acme&repo=phippy',
        branch: 'hotfix/login',
      },
      'give exactly one of entityRef, repoUrl',
    ],
    [
      { entityRef: 'component:default/phippy', branch: 'develop' },
      'branch must be a hotfix branch',
    ],
  ])('refuses %p and changes nothing', async (input, message) => {
    const { fixture, releases, cleanup } = await lifecycleReleases();
    try {
      const before = await showRefs(fixture.path);
      await expect(
        createFinishHotfixAction({ releases }).handler(context(input)),
      ).rejects.toThrow(message);
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });
});
