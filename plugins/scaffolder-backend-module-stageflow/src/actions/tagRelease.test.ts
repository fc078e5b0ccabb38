import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createTagReleaseAction } from './tagRelease';
import {
  actionContext,
  demoDeps,
  rememberingCheckpoints,
} from './__testUtils__/demo';

jest.setTimeout(60_000);

const phippy = 'component:default/phippy';

describe('stageflow:release:tag', () => {
  it('tags the head of develop with a patch bump, once even when retried', async () => {
    const { deps, sha, refs, auditor } = await demoDeps();
    const action = createTagReleaseAction(deps);
    const checkpoints = rememberingCheckpoints();
    const input = { entityRef: phippy, bump: 'patch' as const };
    const ctx = actionContext(input, { checkpoint: checkpoints.checkpoint });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('tag', 'v1.3.1');
    expect(ctx.output).toHaveBeenCalledWith('version', '1.3.1');
    expect(sha('phippy', 'v1.3.1')).toBe(sha('phippy', 'develop'));
    // Annotated: the tag object is not the commit.
    expect(refs('phippy')).toMatch(/refs\/tags\/v1\.3\.1\^\{\}/);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'release-tag' }),
    );
    await action.handler(
      actionContext(input, { checkpoint: checkpoints.checkpoint }),
    );
    expect(refs('phippy').match(/refs\/tags\/v1\.3\.1$/gm)).toHaveLength(1);
  });

  it('reads the bump from conventional commits and promotes when asked', async () => {
    const { deps, sha, digest } = await demoDeps();
    const ctx = actionContext({
      entityRef: phippy,
      bump: 'auto' as const,
      promote: true,
    });
    await createTagReleaseAction(deps).handler(ctx);
    // feat: cookie banner and fix: footer typo since v1.3.0: a minor bump.
    expect(ctx.output).toHaveBeenCalledWith('tag', 'v1.4.0');
    const candidate = await digest(
      'acme/phippy/release-candidate',
      sha('phippy', 'v1.4.0'),
    );
    expect(await digest('acme/phippy/stable', 'latest')).toBe(candidate);
    expect(await digest('acme/phippy/stable', 'v1.4.0')).toBe(candidate);
    expect(ctx.output).toHaveBeenCalledWith('digest', candidate);
  });

  it('allows a hotfix version below the latest release on a hotfix branch, and names that branch', async () => {
    const { deps, sha, data } = await demoDeps();
    // A fix committed on the hotfix branch after its v1.2.1.
    const bare = join(data.gitDir, 'acme', 'phippy.git');
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: bare,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'Ada',
          GIT_AUTHOR_EMAIL: 'ada@example.com',
          GIT_COMMITTER_NAME: 'Ada',
          GIT_COMMITTER_EMAIL: 'ada@example.com',
        },
      }).trim();
    const fix = git(
      'commit-tree',
      'hotfix/login-redirect^{tree}',
      '-p',
      'hotfix/login-redirect',
      '-m',
      'fix: session cookie path',
    );
    git('update-ref', 'refs/heads/hotfix/login-redirect', fix);
    const ctx = actionContext({
      entityRef: phippy,
      ref: 'hotfix/login-redirect',
      bump: 'patch' as const,
    });
    await createTagReleaseAction(deps).handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('tag', 'v1.2.2');
    expect(ctx.output).toHaveBeenCalledWith('branch', 'hotfix/login-redirect');
    expect(sha('phippy', 'v1.2.2')).toBe(fix);
  });

  it('never releases a released commit again: bump on a tagged head, ref naming a release', async () => {
    const { deps, refs } = await demoDeps();
    const action = createTagReleaseAction(deps);
    await action.handler(actionContext({ entityRef: phippy, bump: 'patch' }));
    const after = refs('phippy');
    await expect(
      action.handler(actionContext({ entityRef: phippy, bump: 'patch' })),
    ).rejects.toThrow(
      /Invalid input: commit [0-9a-f]{7} is already released as v1\.3\.1/,
    );
    await expect(
      action.handler(
        actionContext({ entityRef: phippy, ref: 'v1.0.0', bump: 'patch' }),
      ),
    ).rejects.toThrow(
      /Invalid input: commit [0-9a-f]{7} \(v1\.0\.0\) is already released as v1\.0\.0/,
    );
    expect(refs('phippy')).toBe(after);
  });

  it('records, announces and audits the release with the user and the task', async () => {
    const { deps, history, announcements, auditor } = await demoDeps();
    await createTagReleaseAction(deps).handler(
      actionContext({ entityRef: phippy, version: '1.4.0' }),
    );
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      entityRef: phippy,
      actor: 'user:default/mock',
      taskId: 'mock-task-id',
    });
    expect(announcements).toEqual([
      {
        entityRef: phippy,
        kind: 'release',
        version: '1.4.0',
        actor: 'user:default/mock',
        taskId: 'mock-task-id',
      },
    ]);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'release-tag',
        meta: expect.objectContaining({
          actor: 'user:default/mock',
          taskId: 'mock-task-id',
        }),
      }),
    );
  });

  it.each([
    [{ version: '1.2.0' }, 'Release 1.2.0 exists already (tag v1.2.0'],
    [
      { version: '1.2.5' },
      'Version 1.2.5 is not greater than the latest release 1.3.0',
    ],
    [
      { version: 'one' },
      "version must be a SemVer version such as 1.4.0 (no v prefix), got 'one'",
    ],
    [
      { version: '9.0.0+build' },
      "version must not carry build metadata (+...), which a release tag cannot keep; got '9.0.0+build'",
    ],
    [
      { version: ' 1.4.0 ' },
      "version must not have surrounding whitespace, got ' 1.4.0 '",
    ],
    [{ version: '2.0.0', bump: 'major' }, 'give version or bump, not both'],
    [{ ref: 'no-such-branch' }, /no-such-branch/],
  ])('refuses %p and changes nothing', async (bad, message) => {
    const { deps, refs } = await demoDeps();
    const before = refs('phippy');
    await expect(
      createTagReleaseAction(deps).handler(
        actionContext({ entityRef: phippy, ...bad } as any),
      ),
    ).rejects.toThrow(message);
    expect(refs('phippy')).toBe(before);
  });

  it('refuses a commit outside the release lineage', async () => {
    const { deps, refs } = await demoDeps();
    const before = refs('goldie');
    // GitFlow releases from main; dev holds unreleased merges.
    await expect(
      createTagReleaseAction(deps).handler(
        actionContext({
          entityRef: 'component:default/goldie',
          ref: 'dev',
          version: '1.3.0',
        }),
      ),
    ).rejects.toThrow(/is neither on main nor on a hotfix\/\* branch/);
    expect(refs('goldie')).toBe(before);
  });

  it('cuts a GitFlow release: merges dev into main, tags the merge with notes, once even when retried', async () => {
    const { deps, sha, refs } = await demoDeps();
    const action = createTagReleaseAction(deps);
    const checkpoints = rememberingCheckpoints();
    const input = {
      entityRef: 'component:default/goldie',
      bump: 'auto' as const,
    };
    const ctx = actionContext(input, { checkpoint: checkpoints.checkpoint });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('tag', '1.3.0');
    expect(sha('goldie', '1.3.0')).toBe(sha('goldie', 'main'));
    expect(ctx.output).toHaveBeenCalledWith('mergeSha', sha('goldie', 'main'));
    expect(ctx.output).toHaveBeenCalledWith(
      'notes',
      expect.stringMatching(/### Features\n\n- restore from a backup/),
    );
    const after = refs('goldie');
    await action.handler(
      actionContext(input, { checkpoint: checkpoints.checkpoint }),
    );
    expect(refs('goldie')).toBe(after);
  });

  it('tags the release branch as it is when mergeIntegrationBranch is false', async () => {
    const { deps, refs } = await demoDeps();
    const before = refs('goldie');
    // main is released as 1.2.1 already: without the merge there is nothing new.
    await expect(
      createTagReleaseAction(deps).handler(
        actionContext({
          entityRef: 'component:default/goldie',
          bump: 'patch',
          mergeIntegrationBranch: false,
        }),
      ),
    ).rejects.toThrow(/is already released as 1\.2\.1/);
    expect(refs('goldie')).toBe(before);
  });

  it('plans without acting in a dry run', async () => {
    const { deps, refs } = await demoDeps();
    const before = refs('phippy');
    const ctx = actionContext(
      { entityRef: phippy, version: '2.0.0', promote: true },
      { isDryRun: true },
    );
    await createTagReleaseAction(deps).handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('tag', 'v2.0.0');
    expect(refs('phippy')).toBe(before);
  });

  it('refuses in a dry run what the real run would: an existing version, a denied permission', async () => {
    const { deps } = await demoDeps();
    await expect(
      createTagReleaseAction(deps).handler(
        actionContext(
          { entityRef: phippy, version: '1.2.0' },
          { isDryRun: true },
        ),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('Release 1.2.0 exists already'),
    });
    const denied = await demoDeps({ permission: AuthorizeResult.DENY });
    await expect(
      createTagReleaseAction(denied.deps).handler(
        actionContext({ entityRef: phippy, bump: 'patch' }, { isDryRun: true }),
      ),
    ).rejects.toThrow(/permission stageflow\.release\.create is denied/);
  });

  it('lets exactly one of two concurrent tasks tag a version', async () => {
    const { deps, refs } = await demoDeps();
    const action = createTagReleaseAction(deps);
    const results = await Promise.allSettled([
      action.handler(actionContext({ entityRef: phippy, version: '1.5.0' })),
      action.handler(actionContext({ entityRef: phippy, version: '1.5.0' })),
    ]);
    expect(results.map(r => r.status).sort()).toEqual([
      'fulfilled',
      'rejected',
    ]);
    const failure = results.find(
      r => r.status === 'rejected',
    ) as PromiseRejectedResult;
    expect(failure.reason.name).toBe('ConflictError');
    expect(refs('phippy').match(/refs\/tags\/v1\.5\.0$/gm)).toHaveLength(1);
  });

  it('refuses an initiator without the permission', async () => {
    const { deps, refs } = await demoDeps({ permission: AuthorizeResult.DENY });
    const before = refs('phippy');
    await expect(
      createTagReleaseAction(deps).handler(
        actionContext({ entityRef: phippy, bump: 'patch' as const }),
      ),
    ).rejects.toThrow(/permission stageflow\.release\.create is denied/);
    expect(refs('phippy')).toBe(before);
  });
});
