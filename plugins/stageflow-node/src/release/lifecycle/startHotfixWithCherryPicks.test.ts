import { ConflictError, InputError } from '@backstage/errors';
import { ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { GitConflictError } from '../../git/errors';
import { git, showRefs } from '../../testUtils/git/gitFixtures';
import { openLifecycleRepository } from '../../testUtils/git/lifecycleFixtures';
import { startHotfixWithCherryPicks } from './startHotfixWithCherryPicks';

jest.setTimeout(60_000);

describe('startHotfixWithCherryPicks', () => {
  it('starts a hotfix from a release with fixes cherry-picked in order', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const from = {
        tag: 'v1.0.1',
        version: '1.0.1',
        sha: fixture.shas.login,
        prerelease: false,
      };
      const before = await showRefs(fixture.path);
      const planned = await startHotfixWithCherryPicks(repository, ONEFLOW, {
        name: 'footer',
        from,
        cherryPick: [fixture.shas.footer.slice(0, 8)],
        dryRun: true,
      });
      expect(planned).toEqual({
        branch: 'hotfix/footer',
        sha: fixture.shas.login,
        fromTag: 'v1.0.1',
        nextVersion: '1.0.2',
        cherryPicked: [fixture.shas.footer],
        dryRun: true,
        plan: `Would create hotfix/footer at v1.0.1 (${fixture.shas.login.slice(
          0,
          7,
        )}) with 1 cherry-picked commit; it will be released as 1.0.2`,
      });
      expect(await showRefs(fixture.path)).toBe(before);

      const started = await startHotfixWithCherryPicks(repository, ONEFLOW, {
        name: 'footer',
        from,
        cherryPick: [fixture.shas.footer],
      });
      const head = await git(fixture.path, ['rev-parse', 'hotfix/footer']);
      expect(started).toMatchObject({ sha: head, dryRun: false });
      expect(await git(fixture.path, ['rev-parse', 'hotfix/footer^'])).toBe(
        fixture.shas.login,
      );
      expect(
        await git(fixture.path, ['log', '-1', '--format=%s', 'hotfix/footer']),
      ).toBe('fix: footer typo');

      // The dry run refuses what the real run would: the branch exists now.
      await expect(
        startHotfixWithCherryPicks(repository, ONEFLOW, {
          name: 'footer',
          from,
          dryRun: true,
        }),
      ).rejects.toThrow(ConflictError);
    } finally {
      await cleanup();
    }
  });

  it('refuses a conflicting cherry-pick in the dry run and the real run, creating nothing', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const before = await showRefs(fixture.path);
      const from = {
        tag: 'v1.0.1',
        version: '1.0.1',
        sha: fixture.shas.conflicting,
        prerelease: false,
      };
      const input = { name: 'app', from, cherryPick: [fixture.shas.appLine] };
      const planned = await startHotfixWithCherryPicks(repository, ONEFLOW, {
        ...input,
        dryRun: true,
      }).catch(e => e);
      expect(planned).toBeInstanceOf(GitConflictError);
      expect(planned.message).toBe(
        `Cherry-picking ${fixture.shas.appLine.slice(
          0,
          7,
        )} onto v1.0.1 would conflict in app.txt`,
      );
      const error = await startHotfixWithCherryPicks(
        repository,
        ONEFLOW,
        input,
      ).catch(e => e);
      expect(error).toBeInstanceOf(GitConflictError);
      expect(error.files).toEqual(['app.txt']);
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it('starts a plain hotfix without cherry-picks and refuses a bad name', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const from = {
        tag: 'v1.0.0',
        version: '1.0.0',
        sha: fixture.shas.init,
        prerelease: false,
      };
      await expect(
        startHotfixWithCherryPicks(repository, ONEFLOW, { name: 'a..b', from }),
      ).rejects.toThrow(InputError);
      const started = await startHotfixWithCherryPicks(repository, ONEFLOW, {
        name: 'plain',
        from,
      });
      expect(started).toMatchObject({
        branch: 'hotfix/plain',
        sha: fixture.shas.init,
        cherryPicked: [],
        nextVersion: '1.0.1',
      });
      expect(await git(fixture.path, ['rev-parse', 'hotfix/plain'])).toBe(
        fixture.shas.init,
      );
    } finally {
      await cleanup();
    }
  });
});
