import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createStartHotfixAction } from './startHotfix';
import {
  actionContext,
  demoDeps,
  rememberingCheckpoints,
} from './__testUtils__/demo';

jest.setTimeout(60_000);

describe('stageflow:hotfix:start', () => {
  it('creates the hotfix branch from the latest release, once even when retried', async () => {
    const { deps, refs, sha, auditor } = await demoDeps();
    const action = createStartHotfixAction(deps);
    const checkpoints = rememberingCheckpoints();
    const input = { entityRef: 'component:default/phippy', name: 'login' };
    const ctx = actionContext(input, { checkpoint: checkpoints.checkpoint });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('branch', 'hotfix/login');
    expect(ctx.output).toHaveBeenCalledWith('fromTag', 'v1.3.0');
    expect(ctx.output).toHaveBeenCalledWith('nextVersion', '1.3.1');
    expect(sha('phippy', 'hotfix/login')).toBe(sha('phippy', 'v1.3.0'));
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'hotfix-start' }),
    );

    // A retried task finds its checkpoint and does not act twice.
    await action.handler(
      actionContext(input, { checkpoint: checkpoints.checkpoint }),
    );
    expect(refs('phippy').match(/refs\/heads\/hotfix\/login$/gm)).toHaveLength(
      1,
    );

    // A new task for the same branch is a conflict.
    await expect(action.handler(actionContext(input))).rejects.toThrow(
      /exists/,
    );
  });

  it('cherry-picks the fixes given onto the new branch, and checks them in a dry run', async () => {
    const { deps, refs, sha } = await demoDeps();
    const action = createStartHotfixAction(deps);
    // The head of develop is "fix: footer typo", after v1.3.0.
    const fix = sha('phippy', 'develop');
    const input = {
      entityRef: 'component:default/phippy',
      name: 'footer',
      cherryPick: [fix],
    };
    const before = refs('phippy');
    const dry = actionContext(input, { isDryRun: true });
    await action.handler(dry);
    expect(dry.output).toHaveBeenCalledWith('cherryPicked', [fix]);
    expect(refs('phippy')).toBe(before);

    const ctx = actionContext(input);
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('branch', 'hotfix/footer');
    expect(ctx.output).toHaveBeenCalledWith('cherryPicked', [fix]);
    expect(ctx.output).toHaveBeenCalledWith(
      'sha',
      sha('phippy', 'hotfix/footer'),
    );
    expect(sha('phippy', 'hotfix/footer^')).toBe(sha('phippy', 'v1.3.0'));
  });

  it('refuses a cherry-pick that is no commit name, naming the field', async () => {
    const { deps, refs } = await demoDeps();
    const before = refs('phippy');
    await expect(
      createStartHotfixAction(deps).handler(
        actionContext({
          entityRef: 'component:default/phippy',
          name: 'x',
          cherryPick: ['--upload-pack=evil'],
        }),
      ),
    ).rejects.toThrow(/cherryPick\[0\] must be a commit sha/);
    expect(refs('phippy')).toBe(before);
  });

  it('starts from an older release and plans without acting in a dry run', async () => {
    const { deps, refs } = await demoDeps();
    const before = refs('phippy');
    const ctx = actionContext(
      {
        entityRef: 'component:default/phippy',
        name: 'cve',
        fromVersion: '1.1.0',
      },
      { isDryRun: true },
    );
    await createStartHotfixAction(deps).handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('fromTag', 'v1.1.0');
    expect(ctx.output).toHaveBeenCalledWith('nextVersion', '1.1.1');
    expect(refs('phippy')).toBe(before);
  });

  it('refuses in a dry run what the real run would: an existing branch', async () => {
    const { deps } = await demoDeps();
    await expect(
      createStartHotfixAction(deps).handler(
        actionContext(
          { entityRef: 'component:default/phippy', name: 'login-redirect' },
          { isDryRun: true },
        ),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'Branch hotfix/login-redirect already exists',
      ),
    });
  });

  it('refuses in a dry run what the real run would: a denied permission', async () => {
    const { deps } = await demoDeps({ permission: AuthorizeResult.DENY });
    await expect(
      createStartHotfixAction(deps).handler(
        actionContext(
          { entityRef: 'component:default/phippy', name: 'login' },
          { isDryRun: true },
        ),
      ),
    ).rejects.toThrow(/permission stageflow\.hotfix\.create is denied/);
  });

  it.each([
    [
      { name: 'x'.repeat(300) },
      /name gives the ref 'hotfix\/x+\.\.\.', 307 bytes long; git refs may be at most 255 bytes/,
    ],
    [
      { name: 'a..b' },
      /name gives the branch 'hotfix\/a\.\.b', which git refuses/,
    ],
    [
      { name: 'x', fromVersion: '9.9.9' },
      /fromVersion 9\.9\.9 is not a release/,
    ],
    [
      { entityRef: 'component:default/nope' },
      /entityRef component:default\/nope is not in the catalog/,
    ],
  ])('refuses bad input %p and changes nothing', async (bad, message) => {
    const { deps, refs } = await demoDeps();
    const before = refs('phippy');
    await expect(
      createStartHotfixAction(deps).handler(
        actionContext({
          entityRef: 'component:default/phippy',
          name: 'ok',
          ...bad,
        }),
      ),
    ).rejects.toThrow(message);
    expect(refs('phippy')).toBe(before);
  });

  it('refuses an initiator without the permission', async () => {
    const { deps, refs } = await demoDeps({ permission: AuthorizeResult.DENY });
    const before = refs('phippy');
    await expect(
      createStartHotfixAction(deps).handler(
        actionContext({ entityRef: 'component:default/phippy', name: 'login' }),
      ),
    ).rejects.toThrow(
      'You are not allowed to do this on component:default/phippy: permission stageflow.hotfix.create is denied',
    );
    expect(refs('phippy')).toBe(before);
  });
});
